"""Helpers the tests share (bench never imports these): data files, a reference model, page
helpers.
"""
