//! The RFQ dealer (role `dealer`).
