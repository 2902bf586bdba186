"""The eval suite. Not built yet: see the issue "Eval suite: retrieval and answer grounding"."""
