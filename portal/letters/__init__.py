"""Letters: their QR tokens and typed codes (PDF generation comes with campaigns)."""
