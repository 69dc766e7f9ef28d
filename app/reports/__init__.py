"""Printed documents (ReportLab): one renderer module per document on the shared base in ``base``.

ReportLab is imported only by these modules, never at ``import app``.
"""
