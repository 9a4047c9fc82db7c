"""The common layer every topic uses: content loading, evidence and citations, controls, figures, style.

Pure logic lives in modules that import neither ipywidgets nor matplotlib; the views sit beside it.
"""
