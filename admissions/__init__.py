"""Admissions: from the first call to admission or a warm referral out.

Programmes with capacity at each facility, the structured phone screen, the clinical decision,
scheduling with bed holds, waitlists, referrals out with the loop closed, and what care will cost
on paper. It builds on intake (the lead, its workflow and alerts), verification (payers, benefits)
and centre; none of them imports it.
"""
