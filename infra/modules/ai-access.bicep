// Lets the bot's identity open Voice Live sessions on the Foundry / AI Services resource
// (Entra token, scope https://ai.azure.com/.default).

@description('Name of the existing Foundry / AI Services resource (in this resource group).')
param aiAccountName string

@description('Principal (object) id of the bot\'s managed identity.')
param principalId string

var cognitiveServicesUserRoleId = 'a97b65f3-24c7-4388-baec-2e87135dc908'

resource aiAccount 'Microsoft.CognitiveServices/accounts@2025-06-01' existing = {
  name: aiAccountName
}

resource voiceLiveAccess 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(aiAccount.id, principalId, cognitiveServicesUserRoleId)
  scope: aiAccount
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', cognitiveServicesUserRoleId)
    principalId: principalId
    principalType: 'ServicePrincipal'
  }
}
