"""Stage 1 of the pipeline: read the source files and check them, file by file and as a whole.

``model`` is what a parsed source is; ``yamlfile`` and ``bibtex`` read the two file formats
with line numbers; ``records`` turns YAML into model objects; ``reader`` streams a whole
knowledge base through them with the cross-file checks (``SourceReader``, ``load_project``);
``retractions`` matches the Retraction Watch CSV to the references (claims/retractions.yaml);
``coverage`` reports what the sources hold. Pure: it never imports the build, check or site.
"""

from .problems import Problem, Suppressed, ValidationFailed, problem_lines
from .reader import (ARTICLES_DIR, BIB_FILE, CLAIMS_DIR, Project, SourceReader, digest_of,
                     input_files, input_tokens, inputs_digest, load_project)

__all__ = ["ARTICLES_DIR", "BIB_FILE", "CLAIMS_DIR", "Problem", "Project", "SourceReader",
           "Suppressed", "ValidationFailed", "digest_of", "input_files", "input_tokens", "inputs_digest",
           "load_project",
           "problem_lines"]
