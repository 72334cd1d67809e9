"""Every template gets the vocabularies' display (``kb_vocab``): verdict badges, their CSS and
the order verdicts are listed in come from kb.vocab, not from values re-typed in templates."""

from datasette import hookimpl

from kb import vocab

KB_VOCAB = {"verdicts": vocab.VERDICT_DISPLAY, "citation_tone": vocab.CITATION_TONE,
            "tones": vocab.TONE_DISPLAY, "facet_titles": vocab.FACET_TITLES,
            "stances": vocab.STANCE_DISPLAY}


@hookimpl
def extra_template_vars():
    return {"kb_vocab": KB_VOCAB}
