"""The meeting pack: the current view of every dashboard page as one HTML or PDF file.

The pack is not a second implementation of the pages. :mod:`trialdash.report.harvest` runs
the real page scripts headlessly (``streamlit.testing.v1.AppTest``) with the filters and
presentation mode given as URL query parameters, and collects what each page shows, in
page order; :mod:`trialdash.report.html` renders that into one self-contained HTML file and
:mod:`trialdash.report.pdf` prints it in headless Chromium. A chart or table added to a
page therefore appears in the pack without extra work; an element kind the pack does not
know is listed in :attr:`~trialdash.report.harvest.Harvest.unrendered` (and a test fails).
"""
