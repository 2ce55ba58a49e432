#!/bin/sh
# azd postprovision hook: says where calls will ring and what to do next. `azd up` provisions
# twice (azure.yaml, workflows.up): first with a placeholder image, when the Event Grid
# subscription must wait (Event Grid validates the webhook when it is created, and only the bot
# answers that), then after `azd deploy` with the bot's image, when the subscription is created.
set -eu

app="${BOT_APP_NAME:-?}"
rg="${AZURE_RESOURCE_GROUP:-?}"
webhook="${BOT_WEBHOOK_URL:-?}"

if [ "${BOT_RUNS_PLACEHOLDER_IMAGE:-false}" = "true" ]; then
  echo "The container app $app runs a placeholder image until azd deploys the bot's image."
  echo "The IncomingCall subscription is created by the next provision (azd up does both)."
  exit 0
fi

echo ""
echo "The bot runs at ${BOT_PUBLIC_BASE_URL:-?} (container app $app in $rg)."
if [ "${BOT_INCOMING_CALL_SUBSCRIBED:-false}" = "true" ]; then
  echo "ACS ${ACS_NAME:-?} sends IncomingCall events to $webhook?code=<EVENTGRID_SECRET>"
  echo "(Event Grid subscription on the system topic ${BOT_EVENTGRID_SYSTEM_TOPIC:-?} in ${BOT_ACS_RESOURCE_GROUP:-?})."
  echo ""
  echo "Next: call a phone number of the ACS resource ${ACS_NAME:-?} (portal → the ACS resource → Phone numbers)."
else
  echo "No Event Grid subscription was created (createEventSubscription is false): subscribe ACS's"
  echo "Microsoft.Communication.IncomingCall events to $webhook?code=<EVENTGRID_SECRET>."
fi
echo "Check it:  curl -fsS ${BOT_PUBLIC_BASE_URL:-?}/readyz"
echo "Logs:      az containerapp logs show -g $rg -n $app --follow"
echo "Doctor:    az containerapp exec -g $rg -n $app --command \"node dist/doctor/cli.js\""
