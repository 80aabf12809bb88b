"""PDF documents built in memory with reportlab, through one shared layout module."""
