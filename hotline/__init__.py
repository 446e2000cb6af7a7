"""hotline: a multilingual SMS and voice information line."""
from hotline.web import create_app

__all__ = ["create_app"]
