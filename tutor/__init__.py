"""tutor: answers a learner's questions about a roadmap, grounded in the roadmap's own documents."""

__version__ = "0.1.0"
