"""Letters: their QR tokens and typed codes (codes.py), merge fields (merge.py), the postal
address block (address.py), the campaign's PDF (pdf.py, laid out by layout.py and letter.py)
and the mailing house's recipients file (recipients.py)."""
