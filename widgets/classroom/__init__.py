"""The class loop: saved progress, exports, reading a class's results, lesson plans and answer keys.

Pure logic lives in modules that import neither ipywidgets nor matplotlib; the views sit beside it.
"""
