"""Open slots and show proposals: the grid, decided together.

========================  ==================================================================
``model``                 :class:`OpenSlot`, :class:`Proposal`, :class:`Comment`; checking
                          what a stranger sent (:func:`proposal_problems`)
``store``                 the tables ``open_slots``, ``proposals``, ``proposal_comments``
``service``               :class:`ProposalService`: mark hours open, propose, comment,
                          accept (the show, its slots and the presenter's invitation in one
                          step) or decline
========================  ==================================================================

Volunteers mark hours as open for new shows (a slot rule of the grid, one-off or repeating,
with what the station is looking for). Anyone may propose a show for them without an account;
volunteers comment, then accept or decline. Every decision goes on the public change log
without the proposer's name or address; the proposer is told by e-mail.
"""
