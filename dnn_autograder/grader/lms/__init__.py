"""Collect submissions from a learning management system into a class folder.

One module per source: :mod:`.canvas` (the "Download Submissions" zip), :mod:`.moodle` (the
assignment's "Download all submissions", zip or unpacked), :mod:`.classroom` (a folder of GitHub
Classroom repositories). Each turns its source into :class:`.collect.Entry` items; :mod:`.collect`
maps them to students with the roster CSV (:mod:`.roster_csv`) and writes the class folder and its
manifest. Zips are read with :mod:`.safezip` (no path traversal, no links, size and entry caps).
"""
