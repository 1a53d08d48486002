"""The embeddable chat widget (widget.js, served by the app) and its demo news page."""
