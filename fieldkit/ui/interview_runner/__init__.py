"""Interviews screen: the list of interviews, and the runner that takes one while you talk.

One module per part: ``screen`` (the list, and the runner it opens), ``runner`` (one open
interview: saving as the researcher pauses, moving between sections, finishing), ``header``
(who, how, when and in which language), ``logic`` (what the schedule's logic and languages
make of the pages), ``finish`` (the Finish dialog: complete, partial or break-off) and
``leave`` (Leave for now, with a call-back if wanted). The cards and inputs are in
fieldkit/ui/answer_widgets.py and answer_fields.py, the background saving in answer_saver.py.
"""

from fieldkit.ui.interview_runner.runner import Runner
from fieldkit.ui.interview_runner.screen import InterviewsScreen

__all__ = ["InterviewsScreen", "Runner"]
