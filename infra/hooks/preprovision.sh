#!/bin/sh
# azd preprovision hook: checks that the existing resources are named, and generates the two
# secrets the template needs once per azd environment. They are kept in the azd environment
# (.azure/<env>/.env, git-ignored), so every later provision passes the same values.
set -eu

missing=""
[ -n "${ACS_NAME:-}" ] || missing="$missing ACS_NAME"
[ -n "${AI_ACCOUNT_NAME:-}" ] || missing="$missing AI_ACCOUNT_NAME"
if [ -n "$missing" ]; then
  echo "The bot connects to an existing ACS resource and an existing Foundry / AI Services resource. Name them first:" >&2
  echo "  azd env set ACS_NAME <acs resource>            (and ACS_RESOURCE_GROUP if it is in another resource group)" >&2
  echo "  azd env set AI_ACCOUNT_NAME <AI resource>      (and AI_RESOURCE_GROUP if it is in another resource group)" >&2
  echo "Missing:$missing" >&2
  exit 1
fi

random_hex() {
  # 32 random bytes as 64 hex characters: URL-safe (the webhook's ?code=) and long enough for both secrets.
  od -An -tx1 -N32 /dev/urandom | tr -d ' \n'
}

if [ -z "${EVENTGRID_SECRET:-}" ]; then
  azd env set EVENTGRID_SECRET "$(random_hex)"
  echo "Generated EVENTGRID_SECRET (the Event Grid webhook's ?code=) in the azd environment."
fi
if [ -z "${MEDIA_CONTEXT_SECRET:-}" ]; then
  azd env set MEDIA_CONTEXT_SECRET "$(random_hex)"
  echo "Generated MEDIA_CONTEXT_SECRET (signs the call context on the media URL) in the azd environment."
fi
