"""Review of changes to what the public sees (SECOND_APPROVER=1): one mechanism
(:mod:`.changes`) and the kinds of change it knows (:mod:`.records`, :mod:`.exhibits`)."""
