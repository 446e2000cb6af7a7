"""The translator's workspace at /staff/translate: per language, the queue of what to
translate, edit and review, the glossary of legal terms, and machine drafts on request."""
from hotline.staff.translating.pages import blueprint

__all__ = ["blueprint"]
