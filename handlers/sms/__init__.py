"""The SMS channel: Twilio's webhooks (`webhook`) and the conversation (`conversation`)."""
