"""What the demo's faxes are about: senders' organisations, subjects and page text."""

from __future__ import annotations

from typing import NamedTuple


class FaxTopic(NamedTuple):
    organisation: str
    subject: str
    paragraphs: tuple[str, ...]
    pages: int


FAX_TOPICS: tuple[FaxTopic, ...] = (
    FaxTopic(
        "Harbor Medical Group",
        "Referral: patient intake form",
        (
            "Please find attached the completed intake form for the patient referred to your "
            "office last week. The signed consent is on page 2.",
            "Kindly confirm receipt by calling our front desk. Office hours are Monday to "
            "Friday, 8:00 to 17:00.",
        ),
        2,
    ),
    FaxTopic(
        "Pacific Title & Escrow",
        "Signed purchase agreement",
        (
            "Enclosed is the signed purchase agreement with all initials in place. The "
            "earnest money deposit has been received and logged.",
            "Closing is scheduled for the end of the month. Let us know if the lender needs "
            "anything further.",
        ),
        3,
    ),
    FaxTopic(
        "Summit Insurance Agency",
        "Certificate of insurance",
        (
            "As requested, here is the certificate of insurance naming your company as an "
            "additional insured for the duration of the contract.",
        ),
        1,
    ),
    FaxTopic(
        "Lakeside Dental",
        "Claim resubmission",
        (
            "The attached claim was returned for a missing procedure code. We have corrected "
            "the form and are resubmitting it for processing.",
            "Reference number: LD-20931.",
        ),
        1,
    ),
    FaxTopic(
        "County Records Office",
        "Permit application received",
        (
            "This notice confirms that your permit application has been received and is under "
            "review. Expect a decision within 15 business days.",
        ),
        1,
    ),
    FaxTopic(
        "Redwood Legal LLP",
        "Service agreement - countersigned",
        (
            "Attached is the countersigned service agreement. Please retain this copy for your "
            "records. The original will follow by mail.",
            "Do not hesitate to contact our office with any questions.",
        ),
        4,
    ),
    FaxTopic(
        "Evergreen Pharmacy",
        "Prescription renewal request",
        (
            "We received a renewal request for the prescription listed below. Please review "
            "and sign, then fax the form back to our pharmacy line.",
        ),
        1,
    ),
    FaxTopic(
        "Atlas Freight Logistics",
        "Bill of lading #88213",
        (
            "Bill of lading for shipment 88213, three pallets, delivered to your loading dock. "
            "Signature on delivery is on the second page.",
        ),
        2,
    ),
    FaxTopic(
        "Northgate Bank",
        "Wire transfer confirmation",
        (
            "This confirms the outgoing wire transfer initiated from your business account. "
            "If you did not authorise this transfer, call us immediately.",
        ),
        1,
    ),
    FaxTopic(
        "Bayview Property Management",
        "Lease renewal",
        (
            "Your lease for Suite 400 is up for renewal. The proposed terms are on the "
            "following pages. Please sign and return by the 15th.",
        ),
        3,
    ),
    FaxTopic(
        "Sierra Supply Co.",
        "Purchase order PO-55107",
        (
            "Purchase order PO-55107 for 40 desk phones and 12 conference units. Net 30 "
            "terms, delivery to the San Diego office.",
        ),
        2,
    ),
    FaxTopic(
        "Golden State Payroll",
        "Quarterly tax filing",
        (
            "The quarterly payroll tax filing is ready for signature. Please review the "
            "totals on page 2 and sign where marked.",
        ),
        2,
    ),
)

FAILURE_REASONS: tuple[str, ...] = (
    "No answer from the receiving fax machine",
    "The line was busy",
    "The receiving machine hung up during page 1",
)
