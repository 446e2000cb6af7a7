"""The ways residents reach the line: text, WhatsApp and voice, each rendering the same engine reply."""
