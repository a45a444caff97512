"""The bundled sample organisation, installed as package data (``orgnet.samples``); see ``README.md`` beside it."""
