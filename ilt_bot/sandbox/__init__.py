"""The sandbox Workspace: a local, SQLite-backed emulation of the Drive v3, Docs v1, Forms v1 and
Sheets v4 REST APIs, reached by the real Google client libraries through the transport seam."""
