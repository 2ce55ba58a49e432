// The phone bot on Azure Container Apps, wired to an existing Azure Communication Services
// resource (IncomingCall through an Event Grid system topic) and an existing Foundry /
// AI Services resource (Voice Live). Deploy with `azd up` (azure.yaml at the repository root) or
// `az deployment group create`; see README.md.
// Not compiled or deployed from the environment it was written in (no Bicep compiler there): run
// `az bicep build` and `what-if` first.
targetScope = 'resourceGroup'

// ─── Names and placement ─────────────────────────────────────────────────────

@description('Prefix of every resource this template creates: lowercase letters, digits and hyphens, starting with a letter. The app is named <prefix>-app.')
@minLength(2)
@maxLength(20)
param namePrefix string = 'voicebot'

@description('Region of the resources this template creates (Log Analytics, Container Apps environment, identity, app).')
param location string = resourceGroup().location

@description('Tags on the resources this template creates.')
param tags object = {}

// ─── Existing resources ──────────────────────────────────────────────────────

@description('Name of the existing Azure Communication Services resource that owns the phone number(s).')
param acsName string

@description('Resource group of the ACS resource. The Event Grid system topic and the ACS role assignment are created there. Empty: this resource group.')
param acsResourceGroupName string = ''

@description('Name of the existing Foundry / AI Services resource (Microsoft.CognitiveServices/accounts) that serves Voice Live.')
param aiAccountName string

@description('Resource group of the Foundry / AI Services resource. Empty: this resource group.')
param aiResourceGroupName string = ''

// ─── Image ───────────────────────────────────────────────────────────────────

@description('Full image reference, e.g. myregistry.azurecr.io/acs-voicelive-bot:1.0.0 (build from the Dockerfile at the repository root; linux/amd64). Empty (azd\'s first provision, before any image exists): a public placeholder image runs, and the Event Grid subscription waits until the real image does.')
param containerImage string = ''

@description('Name of an Azure Container Registry holding the image; the app pulls with its managed identity (AcrPull is granted). Empty: the image is public, unless createRegistry is true.')
param acrName string = ''

@description('Resource group of the container registry. Empty: this resource group.')
param acrResourceGroupName string = ''

@description('true (azd): create the registry (acrName, or a generated name) in this resource group; azd pushes the image there.')
param createRegistry bool = false

// ─── How the bot authenticates ───────────────────────────────────────────────

@description('true: ACS_ENDPOINT + the managed identity (Contributor on the ACS resource). false: ACS_CONNECTION_STRING, read from the ACS resource keys at deployment time into a Container Apps secret.')
param acsUseManagedIdentity bool = true

@description('true: Voice Live with the managed identity (Cognitive Services User on the AI resource). false: VOICELIVE_API_KEY, read from the AI resource keys into a Container Apps secret. Agent mode always uses the managed identity.')
param voiceLiveUseManagedIdentity bool = true

// ─── Voice Live ──────────────────────────────────────────────────────────────

@description('VOICELIVE_ENDPOINT. Empty: https://<custom subdomain of the AI resource>.services.ai.azure.com.')
param voiceLiveEndpoint string = ''

@description('VOICELIVE_MODEL (model mode only, i.e. when agentName is empty).')
param voiceLiveModel string = 'gpt-4.1'

@description('AGENT_NAME: set to run in agent mode (Foundry Agent Service; Entra only). Empty: model mode.')
param agentName string = ''

@description('AGENT_PROJECT_NAME: the Foundry project (a child of the AI resource) holding the agent. Required with agentName; the identity gets Azure AI User on it.')
param agentProjectName string = ''

@description('AGENT_VERSION (optional, agent mode only).')
param agentVersion string = ''

// ─── Secrets ─────────────────────────────────────────────────────────────────

@description('The ?code= secret on the Event Grid webhook URL, also first in EVENTGRID_SECRETS. URL-safe, e.g. `openssl rand -hex 32`.')
@secure()
@minLength(32)
param eventGridSecret string

@description('During a rotation only: the previous ?code= secret, still accepted (EVENTGRID_SECRETS = "<new>,<previous>"). Empty otherwise.')
@secure()
param eventGridPreviousSecret string = ''

@description('MEDIA_CONTEXT_SECRET: HMAC key (at least 32 characters) for the call context on the media URL; the same on every replica.')
@secure()
@minLength(32)
param mediaContextSecret string

@description('Bump whenever a secret value changes: Container Apps does not restart replicas when only a secret changes, so this (an env var) forces a new revision that reads the new values.')
param secretsGeneration int = 1

// ─── Runtime and scale ───────────────────────────────────────────────────────

@description('PUBLIC_BASE_URL. Empty: https://<app>.<environment default domain>. Set it only when a custom domain is bound to the app (outside this template).')
param publicBaseUrl string = ''

@description('SHUTDOWN_GRACE_MS in seconds: on SIGTERM (scale-in, new revision) calls in progress get this long before they are hung up. The platform grace period is this plus 5 s, at least 30 s.')
@minValue(0)
@maxValue(595)
param shutdownGraceSeconds int = 25

@description('Minimum replicas; at least 1, because a cold start lets calls ring out.')
@minValue(1)
param minReplicas int = 1

@description('Maximum replicas.')
@minValue(1)
@maxValue(300)
param maxReplicas int = 5

@description('Calls one replica carries before another is added: from `npm run loadtest` on the replica size (the largest step that passes its goals, times the vCPUs, with headroom; see infra/README.md "Scale and shutdown").')
@minValue(1)
param callsPerReplica int = 100

@description('Average call length in seconds, to turn callsPerReplica into a request rate for the HTTP rule (about 6 requests per call: the webhook, the media upgrade, callbacks).')
@minValue(10)
param meanCallSeconds int = 180

@description('CPU rule: scale out when the replicas average more than this share of their vCPU. From `npm run loadtest`: bot CPU at callsPerReplica calls divided by the vCPUs.')
@minValue(10)
@maxValue(95)
param cpuScaleThresholdPercent int = 60

@description('vCPU per replica (Consumption profile: 0.25 to 4, memory = 2 x vCPU).')
param cpuCores string = '1.0'

@description('Memory per replica, e.g. 2Gi for 1.0 vCPU.')
param memory string = '2Gi'

@description('More plain (non-secret) settings, e.g. [{"name":"LOG_LEVEL","value":"info"},{"name":"TRANSFER_TARGET","value":"+14255550100"}]. Do not repeat names this template sets.')
param extraEnv array = []

// ─── Event Grid ──────────────────────────────────────────────────────────────

@description('false: skip the system topic and subscription (first phase of a two-phase deployment, or when they are managed elsewhere).')
param createEventSubscription bool = true

@description('false: the ACS resource already has an Event Grid system topic (only one is allowed per source); give its name in systemTopicName. It must be in acsResourceGroupName.')
param createSystemTopic bool = true

@description('Name of the Event Grid system topic on the ACS resource (created or existing). Empty: <acsName>-events.')
param systemTopicName string = ''

// ─── Derived values ──────────────────────────────────────────────────────────

var appName = '${namePrefix}-app'
// Empty strings (what azd passes for an unset environment variable) mean "the default".
var acsRg = empty(acsResourceGroupName) ? resourceGroup().name : acsResourceGroupName
var aiRg = empty(aiResourceGroupName) ? resourceGroup().name : aiResourceGroupName
var acrRg = createRegistry || empty(acrResourceGroupName) ? resourceGroup().name : acrResourceGroupName
var topicName = empty(systemTopicName) ? '${acsName}-events' : systemTopicName
// ACR names: 5-50 letters and digits, globally unique.
var registryName = !empty(acrName) ? acrName : (createRegistry ? take(toLower('${replace(namePrefix, '-', '')}${uniqueString(resourceGroup().id)}'), 50) : '')
// Before azd has built an image the app runs a public placeholder (it answers no call, so no Event Grid subscription yet).
var placeholderImage = 'mcr.microsoft.com/azuredocs/containerapps-helloworld:latest'
var usesPlaceholder = empty(containerImage)
var image = usesPlaceholder ? placeholderImage : containerImage
var subscribeIncomingCalls = createEventSubscription && !usesPlaceholder
var agentMode = !empty(agentName)
// Agent mode accepts Entra tokens only; the bot refuses VOICELIVE_API_KEY there.
var voiceLiveUsesKey = !voiceLiveUseManagedIdentity && !agentMode
var eventGridSecrets = empty(eventGridPreviousSecret) ? eventGridSecret : '${eventGridSecret},${eventGridPreviousSecret}'
// The app's FQDN is <app>.<environment default domain>, known before the app exists.
var publicBaseUrlValue = empty(publicBaseUrl) ? 'https://${appName}.${appEnv.properties.defaultDomain}' : publicBaseUrl
var voiceLiveEndpointValue = empty(voiceLiveEndpoint) ? 'https://${aiAccount.properties.customSubDomainName}.services.ai.azure.com' : voiceLiveEndpoint
var containerPort = 8080

// ─── Existing resources ──────────────────────────────────────────────────────

resource acs 'Microsoft.Communication/communicationServices@2023-04-01' existing = {
  name: acsName
  scope: resourceGroup(acsRg)
}

resource aiAccount 'Microsoft.CognitiveServices/accounts@2025-06-01' existing = {
  name: aiAccountName
  scope: resourceGroup(aiRg)
}

// ─── Logs, environment, identity ─────────────────────────────────────────────

resource logs 'Microsoft.OperationalInsights/workspaces@2022-10-01' = {
  name: '${namePrefix}-logs'
  location: location
  tags: tags
  properties: {
    sku: {
      name: 'PerGB2018'
    }
    retentionInDays: 30
  }
}

resource appEnv 'Microsoft.App/managedEnvironments@2024-03-01' = {
  name: '${namePrefix}-env'
  location: location
  tags: tags
  properties: {
    appLogsConfiguration: {
      destination: 'log-analytics'
      logAnalyticsConfiguration: {
        customerId: logs.properties.customerId
        sharedKey: logs.listKeys().primarySharedKey
      }
    }
    workloadProfiles: [
      {
        name: 'Consumption'
        workloadProfileType: 'Consumption'
      }
    ]
  }
}

// User-assigned, so role assignments exist before the first revision starts.
resource botIdentity 'Microsoft.ManagedIdentity/userAssignedIdentities@2023-01-31' = {
  name: '${namePrefix}-id'
  location: location
  tags: tags
}

// ─── Role assignments (modules: the target resources may sit in other resource groups) ──

module acsAccess 'modules/acs-access.bicep' = if (acsUseManagedIdentity) {
  name: '${namePrefix}-acs-access'
  scope: resourceGroup(acsRg)
  params: {
    acsName: acsName
    principalId: botIdentity.properties.principalId
  }
}

module aiAccess 'modules/ai-access.bicep' = if (!voiceLiveUsesKey) {
  name: '${namePrefix}-ai-access'
  scope: resourceGroup(aiRg)
  params: {
    aiAccountName: aiAccountName
    principalId: botIdentity.properties.principalId
  }
}

module projectAccess 'modules/foundry-project-access.bicep' = if (agentMode) {
  name: '${namePrefix}-project-access'
  scope: resourceGroup(aiRg)
  params: {
    aiAccountName: aiAccountName
    projectName: agentProjectName
    principalId: botIdentity.properties.principalId
  }
}

module registry 'modules/registry.bicep' = if (createRegistry) {
  name: '${namePrefix}-registry'
  params: {
    name: registryName
    location: location
    tags: tags
  }
}

module acrPull 'modules/acr-pull.bicep' = if (!empty(registryName)) {
  name: '${namePrefix}-acr-pull'
  scope: resourceGroup(acrRg)
  dependsOn: [
    registry
  ]
  params: {
    acrName: registryName
    principalId: botIdentity.properties.principalId
  }
}

// ─── Settings ────────────────────────────────────────────────────────────────

var coreEnv = [
  {
    name: 'PORT'
    value: string(containerPort)
  }
  {
    // One worker process per vCPU the replica is given (src/cluster.ts).
    name: 'WORKERS'
    value: 'auto'
  }
  {
    name: 'PUBLIC_BASE_URL'
    value: publicBaseUrlValue
  }
  {
    name: 'ACS_RESOURCE_ID'
    value: acs.properties.immutableResourceId
  }
  {
    name: 'EVENTGRID_SECRETS'
    secretRef: 'eventgrid-secrets'
  }
  {
    name: 'MEDIA_CONTEXT_SECRET'
    secretRef: 'media-context-secret'
  }
  {
    name: 'SHUTDOWN_GRACE_MS'
    value: string(shutdownGraceSeconds * 1000)
  }
  {
    // DefaultAzureCredential picks the user-assigned identity by this client id.
    name: 'AZURE_CLIENT_ID'
    value: botIdentity.properties.clientId
  }
  {
    name: 'VOICELIVE_ENDPOINT'
    value: voiceLiveEndpointValue
  }
  {
    // Not read by the bot: changing it forces a new revision (see secretsGeneration).
    name: 'SECRETS_GENERATION'
    value: string(secretsGeneration)
  }
]

var acsEnv = acsUseManagedIdentity ? [
  {
    name: 'ACS_ENDPOINT'
    value: 'https://${acs.properties.hostName}'
  }
] : [
  {
    name: 'ACS_CONNECTION_STRING'
    secretRef: 'acs-connection-string'
  }
]

var agentVersionEnv = empty(agentVersion) ? [] : [
  {
    name: 'AGENT_VERSION'
    value: agentVersion
  }
]

// VOICELIVE_MODEL and AGENT_NAME are exclusive (the bot refuses both at once).
var modeEnv = agentMode ? concat([
  {
    name: 'AGENT_NAME'
    value: agentName
  }
  {
    name: 'AGENT_PROJECT_NAME'
    value: agentProjectName
  }
], agentVersionEnv) : [
  {
    name: 'VOICELIVE_MODEL'
    value: voiceLiveModel
  }
]

var voiceLiveKeyEnv = voiceLiveUsesKey ? [
  {
    name: 'VOICELIVE_API_KEY'
    secretRef: 'voicelive-api-key'
  }
] : []

// ─── The app ─────────────────────────────────────────────────────────────────

resource app 'Microsoft.App/containerApps@2024-03-01' = {
  name: appName
  location: location
  // azd deploy finds the app by this tag (azure.yaml service "bot").
  tags: union(tags, {
    'azd-service-name': 'bot'
  })
  identity: {
    type: 'UserAssigned'
    userAssignedIdentities: {
      '${botIdentity.id}': {}
    }
  }
  properties: {
    environmentId: appEnv.id
    workloadProfileName: 'Consumption'
    configuration: {
      activeRevisionsMode: 'Single'
      // HTTPS only (HTTP is redirected); WebSocket upgrades pass through HTTP ingress.
      ingress: {
        external: true
        targetPort: containerPort
        transport: 'auto'
        allowInsecure: false
      }
      registries: empty(registryName) ? [] : [
        {
          server: '${registryName}${environment().suffixes.acrLoginServer}'
          identity: botIdentity.id
        }
      ]
      // Changing only these does not restart replicas: bump secretsGeneration.
      secrets: concat([
        {
          name: 'eventgrid-secrets'
          value: eventGridSecrets
        }
        {
          name: 'media-context-secret'
          value: mediaContextSecret
        }
      ], acsUseManagedIdentity ? [] : [
        {
          name: 'acs-connection-string'
          value: acs.listKeys().primaryConnectionString
        }
      ], voiceLiveUsesKey ? [
        {
          name: 'voicelive-api-key'
          value: aiAccount.listKeys().key1
        }
      ] : [])
    }
    template: {
      // SIGTERM → readiness 503 and calls drain for SHUTDOWN_GRACE_MS; SIGKILL comes after this.
      terminationGracePeriodSeconds: max(30, shutdownGraceSeconds + 5)
      containers: [
        {
          name: 'bot'
          image: image
          resources: {
            cpu: json(cpuCores)
            memory: memory
          }
          env: concat(coreEnv, acsEnv, modeEnv, voiceLiveKeyEnv, extraEnv)
          probes: [
            {
              type: 'Startup'
              httpGet: {
                path: '/healthz'
                port: containerPort
              }
              initialDelaySeconds: 1
              periodSeconds: 3
              timeoutSeconds: 3
              failureThreshold: 10
            }
            {
              // Stays 200 while draining: a liveness failure would restart the replica and drop its calls.
              type: 'Liveness'
              httpGet: {
                path: '/healthz'
                port: containerPort
              }
              periodSeconds: 10
              timeoutSeconds: 5
              failureThreshold: 3
            }
            {
              // 503 while draining takes the replica out of the ingress rotation quickly.
              type: 'Readiness'
              httpGet: {
                path: '/readyz'
                port: containerPort
              }
              periodSeconds: 5
              timeoutSeconds: 3
              failureThreshold: 2
              successThreshold: 1
            }
          ]
        }
      ]
      scale: {
        minReplicas: minReplicas
        maxReplicas: maxReplicas
        rules: [
          // What limits a replica: CPU, measured per call by `npm run loadtest`. Open media
          // WebSockets do not show in the HTTP rule (it counts requests started, per second).
          {
            name: 'cpu-per-call'
            custom: {
              type: 'cpu'
              metadata: {
                type: 'Utilization'
                value: string(cpuScaleThresholdPercent)
              }
            }
          }
          // Early signal: calls arriving faster than callsPerReplica / meanCallSeconds (Little's law), ~6 requests each.
          {
            name: 'call-arrivals'
            http: {
              metadata: {
                concurrentRequests: string(max(1, callsPerReplica * 6 / meanCallSeconds))
              }
            }
          }
        ]
      }
    }
  }
  // Roles first, so the first revision can pull its image and reach ACS / Voice Live.
  dependsOn: [
    acsAccess
    aiAccess
    projectAccess
    acrPull
  ]
}

// ─── IncomingCall → the webhook (after the app runs: Event Grid validates the endpoint on creation) ──

module incomingCallEvents 'modules/incoming-call-events.bicep' = if (subscribeIncomingCalls) {
  name: '${namePrefix}-incoming-call-events'
  scope: resourceGroup(acsRg)
  params: {
    acsName: acsName
    createSystemTopic: createSystemTopic
    systemTopicName: topicName
    subscriptionName: '${namePrefix}-incoming-call'
    // Referencing the app makes this wait until the app's revision is provisioned.
    appFqdn: app.properties.configuration.ingress.fqdn
    webhookSecret: eventGridSecret
    tags: tags
  }
}

// ─── Outputs (no secrets) ────────────────────────────────────────────────────

output appName string = app.name
output appFqdn string = app.properties.configuration.ingress.fqdn
output publicBaseUrl string = publicBaseUrlValue
output identityClientId string = botIdentity.properties.clientId
output identityPrincipalId string = botIdentity.properties.principalId
output acsImmutableResourceId string = acs.properties.immutableResourceId
output voiceLiveEndpoint string = voiceLiveEndpointValue
@description('The Event Grid webhook without its ?code= query.')
output incomingCallWebhookBase string = 'https://${app.properties.configuration.ingress.fqdn}/api/incoming-call'
output logAnalyticsWorkspaceName string = logs.name

// ─── Outputs for azd (stored in the azd environment; the hooks and `azd env get-values` read them) ──

output AZURE_CONTAINER_REGISTRY_ENDPOINT string = empty(registryName) ? '' : '${registryName}${environment().suffixes.acrLoginServer}'
output AZURE_CONTAINER_REGISTRY_NAME string = registryName
output BOT_APP_NAME string = app.name
output BOT_PUBLIC_BASE_URL string = publicBaseUrlValue
output BOT_WEBHOOK_URL string = 'https://${app.properties.configuration.ingress.fqdn}/api/incoming-call'
output BOT_RUNS_PLACEHOLDER_IMAGE bool = usesPlaceholder
output BOT_INCOMING_CALL_SUBSCRIBED bool = subscribeIncomingCalls
output BOT_EVENTGRID_SYSTEM_TOPIC string = topicName
output BOT_ACS_RESOURCE_GROUP string = acsRg
output BOT_IDENTITY_PRINCIPAL_ID string = botIdentity.properties.principalId
output BOT_LOG_ANALYTICS_WORKSPACE string = logs.name
