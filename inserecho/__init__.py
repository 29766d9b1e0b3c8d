"""inserecho: authoring and mailing tool of Inser'Echo, the newsletter of Inser'Eco93."""

__version__ = "0.1.0"
