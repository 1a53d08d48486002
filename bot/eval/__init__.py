"""Evaluation: metrics, reports and the ``python -m bot.eval`` command."""
