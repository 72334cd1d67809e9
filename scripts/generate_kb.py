#!/usr/bin/env python3
"""Write a synthetic knowledge base of N claims in the project's own source formats
(kb/generate.py does the work):

    .venv/bin/python scripts/generate_kb.py OUT_DIR --claims 100000 [--seed 1]
"""

from kb.generate import main

if __name__ == "__main__":
    main()
