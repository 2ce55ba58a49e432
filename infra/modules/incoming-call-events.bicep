// IncomingCall events of the ACS resource → the bot's webhook, through an Event Grid system topic.
// Deployed after the app runs: creating (or re-pointing) the subscription makes Event Grid send a
// SubscriptionValidationEvent to the endpoint, which the bot must answer, or the deployment fails.

@description('Name of the existing Azure Communication Services resource (in this resource group).')
param acsName string

@description('true: create the system topic. false: it exists already (one system topic per source resource).')
param createSystemTopic bool

@description('Name of the system topic on the ACS resource (in this resource group).')
param systemTopicName string

@description('Name of the event subscription.')
param subscriptionName string

@description('The app\'s FQDN (no scheme).')
param appFqdn string

@description('The ?code= secret the bot accepts (first value of EVENTGRID_SECRETS).')
@secure()
param webhookSecret string

param tags object = {}

resource acs 'Microsoft.Communication/communicationServices@2023-04-01' existing = {
  name: acsName
}

resource newTopic 'Microsoft.EventGrid/systemTopics@2022-06-15' = if (createSystemTopic) {
  name: systemTopicName
  // ACS is a global resource; its system topic is global too.
  location: 'global'
  tags: tags
  properties: {
    source: acs.id
    topicType: 'Microsoft.Communication.CommunicationServices'
  }
}

resource topic 'Microsoft.EventGrid/systemTopics@2022-06-15' existing = {
  name: systemTopicName
}

resource incomingCall 'Microsoft.EventGrid/systemTopics/eventSubscriptions@2022-06-15' = {
  parent: topic
  name: subscriptionName
  properties: {
    destination: {
      endpointType: 'WebHook'
      properties: {
        // Write-only: Event Grid returns only endpointBaseUrl (without the query) on reads.
        endpointUrl: 'https://${appFqdn}/api/incoming-call?code=${uriComponent(webhookSecret)}'
        maxEventsPerBatch: 1
        preferredBatchSizeInKilobytes: 64
      }
    }
    filter: {
      includedEventTypes: [
        'Microsoft.Communication.IncomingCall'
      ]
    }
    eventDeliverySchema: 'EventGridSchema'
    // A ringing call does not wait: an IncomingCall delivered minutes late cannot be answered,
    // so retry briefly (the bot de-duplicates) and drop the rest.
    retryPolicy: {
      maxDeliveryAttempts: 3
      eventTimeToLiveInMinutes: 1
    }
  }
  dependsOn: [
    newTopic
  ]
}

output systemTopicName string = systemTopicName
output subscriptionName string = incomingCall.name
