"""SMS texts for the seeded conversations and the traffic generator.

A script is a list of ``(direction, text)``: ``"in"`` from the customer, ``"out"`` from us.
``{first}`` is replaced by the customer's first name, ``{agent}`` by the acting user's.
"""

from __future__ import annotations

CONVERSATION_SCRIPTS: tuple[tuple[tuple[str, str], ...], ...] = (
    (
        ("in", "Hi, this is {first}. Our office phones keep dropping calls after 2 min."),
        ("out", "Hi {first}, sorry about that! Is it every call or only outside calls?"),
        ("in", "Mostly outside calls. Internal ones seem fine."),
        ("out", "Thanks. I'm opening a ticket with our network team now."),
        ("out", "Could you send me the number of one call that dropped?"),
        ("in", "Sure, it was to 858 area code around 10:15 this morning."),
        ("out", "Got it. We found a SIP timer issue and pushed a fix. Can you try again?"),
        ("in", "Just made two calls, both fine. Thank you!"),
    ),
    (
        ("in", "Hello, can I move my install appointment to Thursday?"),
        ("out", "Hi {first}, Thursday works. Morning (8-12) or afternoon (12-5)?"),
        ("in", "Morning please"),
        ("out", "Done: Thursday 8-12. The technician will text when on the way."),
        ("in", "Perfect, thanks"),
    ),
    (
        ("out", "Hi {first}, this is {agent} from Northwind Telecom. Your new desk phones shipped today."),
        ("in", "Great! Do you have a tracking number?"),
        ("out", "Yes: 1Z 999 AA1 01 2345 6784. Expected Wednesday."),
        ("in", "Thanks {agent}"),
    ),
    (
        ("in", "Our invoice this month is higher than usual, can someone explain?"),
        ("out", "Hi {first}, happy to help. It includes 3 new lines added on the 12th, prorated."),
        ("in", "Ah right, we added the warehouse lines. Makes sense."),
        ("in", "Can we get the invoice split by location going forward?"),
        ("out", "Yes, I've switched your account to per-location billing from next cycle."),
    ),
    (
        ("in", "Is the auto attendant able to play a holiday message on the 25th?"),
        ("out", "Yes! Send me the text and I can set up a holiday schedule for you."),
        (
            "in",
            "Thanks for calling Brightline Dental, we are closed for the holiday. Please call back tomorrow.",
        ),
        ("out", "Scheduled for 12/25 all day. You can preview it by dialing *97 from any desk phone."),
        ("in", "Sounds good"),
    ),
    (
        ("in", "hey can you call me back when you have a sec"),
        ("out", "Sure, calling you in 5 minutes."),
        ("in", "ok"),
    ),
    (
        ("out", "Reminder: your service review with {agent} is tomorrow at 2pm PT."),
        ("in", "Can we push it to 3?"),
        ("out", "3pm works. Updated the invite."),
        ("in", "Thank you!"),
    ),
    (
        ("in", "We're porting our main number from the old carrier, what do you need from me?"),
        ("out", "A copy of a recent bill and a signed LOA. I'll email the LOA now."),
        ("in", "Signed and sent back."),
        ("out", "Received. Port date is confirmed for Monday 6am."),
        ("in", "Will there be any downtime?"),
        ("out", "Usually under 15 minutes. We'll text you when it completes."),
        ("out", "Port complete! Your main number now rings on Northwind."),
        ("in", "Awesome, calls are coming in."),
    ),
    (
        ("in", "Voicemail to email stopped working for extension 1043"),
        ("out", "Checking now, {first}."),
        ("out", "The mailbox was full. I cleared old messages and it's delivering again."),
        ("in", "Confirmed, got a test one. Thanks!"),
    ),
    (
        ("in", "Do you support SMS from our main number?"),
        ("out", "Yes, after a quick 10DLC registration. It takes about a week."),
        ("in", "Let's do it"),
        ("out", "Great, I'll send the registration form."),
    ),
    (
        ("in", "Running 10 min late for our call"),
        ("out", "No problem, talk soon"),
    ),
    (
        ("out", "Hi {first}, your fax line is active. Faxes will arrive in your email as PDF."),
        ("in", "Thanks. Can the outbound cover page have our logo?"),
        ("out", "Yes, upload it under Fax > Cover pages in the portal."),
    ),
    (
        ("in", "Our receptionist's phone shows 'No service'"),
        ("out", "Can you power cycle it? Unplug for 10 seconds."),
        ("in", "Still no service"),
        ("out", "I see it lost its registration. I've re-provisioned it, please reboot once more."),
        ("in", "It's working now!"),
        ("out", "Glad to hear it."),
    ),
    (
        ("in", "What are your support hours?"),
        ("out", "24/7 for outages, 7am-7pm PT for everything else."),
    ),
    (
        ("in", "Can we add two more users next week? New hires start Monday."),
        ("out", "Of course. Send names and emails and I'll set up extensions."),
        ("in", "Maria Lopez maria@example.com and Tom Becker tom@example.com"),
        ("out", "Both created: Maria 1187, Tom 1188. Welcome emails sent."),
    ),
    (
        ("in", "The conference bridge PIN isn't accepted"),
        ("out", "The PIN was reset last night during maintenance. New PIN: 4471."),
        ("in", "Works now, thanks"),
    ),
    (
        ("out", "Hi {first}, following up on the quote for 25 seats. Any questions?"),
        ("in", "We're reviewing it this week. Does the price include call recording?"),
        ("out", "Yes, recording with 90-day retention is included."),
        ("in", "Great, I'll get back to you Friday."),
    ),
    (
        ("in", "Got a missed call from this number?"),
        ("out", "Hi {first}, yes, it was {agent} about your renewal. Good time to chat?"),
        ("in", "After 4 today"),
        ("out", "I'll call at 4:15."),
    ),
)

INBOUND_TEXTS: tuple[str, ...] = (
    "Hi, is anyone available to help with our phone system?",
    "Thanks for the quick fix earlier!",
    "Can you call me back when you get a chance?",
    "Our hold music stopped playing, is that on your end?",
    "What time does the technician arrive tomorrow?",
    "Please send the updated quote to my email.",
    "Got it, thanks.",
    "Is there an outage in the San Diego area right now?",
    "The new headsets arrived. How do I pair them?",
    "Can we schedule the training for next Tuesday?",
    "I'm running a few minutes late.",
    "Sounds good 👍",
    "Could you resend the invoice? I can't find it.",
    "We need to forward the main line to my cell tonight.",
    "Is call recording enabled on the sales queue?",
    "Perfect, see you then.",
    "How do I change my voicemail greeting?",
    "Our fax line is busy all the time, can you check?",
    "Thank you so much!",
    "Can you add a new extension for our intern?",
    "Ok, I'll try that and let you know.",
    "Who should I talk to about upgrading our plan?",
    "Our caller ID shows the wrong company name.",
    "Yes, that works for me.",
    "Can you text me the conference bridge number?",
    "Is the portal down? I can't log in.",
    "Received, thanks!",
    "What's the best number to reach support after hours?",
    "No rush, tomorrow is fine.",
    "We'd like to add SMS to two more numbers.",
)

STATUS_VALUES: tuple[str, ...] = ("available", "away", "busy", "on_call", "dnd", "offline")
