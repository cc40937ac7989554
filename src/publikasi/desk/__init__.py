"""The desk: ``publikasi serve``, a local web application over a SOURCE folder.

See docs/desk.md.  :mod:`.app` assembles the pages, :mod:`.security` holds
every safety rule, :mod:`.templating` the layout and words, :mod:`.preview`
the live preview, :mod:`.server` runs it under uvicorn; :mod:`.paste` and
:mod:`.wordloop` hold the logic of the paste and Word-loop pages.
"""
