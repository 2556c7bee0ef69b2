"""The grievance officer's desk: complaints under legal clocks, breaches, published notices.

The rules, one module per concept: filing (and guest_codes for a guest's emailed code, and
attachments), decisions (the officer's work), appeals, breach_register, compliance_report and
desk_items (the desk's queue and deadline warnings); queries and filters read; policy alone
decides who may do what. moments, fields, references and history are what they share."""
