"""The desk: ``publikasi serve``, a local web application over a SOURCE folder."""
