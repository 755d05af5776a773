"""ILT Bot: runs a school's Instructional Leadership Team routines on its Google Workspace."""

__version__ = "0.1.0"
