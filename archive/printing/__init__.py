"""Printing and share products: QR codes, posters, label sheets, record books, print
runs and batches, the print style and typesetting, share images, long pictures and
short videos."""
