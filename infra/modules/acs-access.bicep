// Lets the bot's identity drive Call Automation on the ACS resource (answer, media, transfer, hang up).
// Contributor scoped to this one resource: what Microsoft's Entra samples for ACS assign; no narrower
// built-in data-plane role for Call Automation was found.

@description('Name of the existing Azure Communication Services resource (in this resource group).')
param acsName string

@description('Principal (object) id of the bot\'s managed identity.')
param principalId string

var contributorRoleId = 'b24988ac-6180-42a0-ab88-20f7382dd24c'

resource acs 'Microsoft.Communication/communicationServices@2023-04-01' existing = {
  name: acsName
}

resource callAutomationAccess 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(acs.id, principalId, contributorRoleId)
  scope: acs
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', contributorRoleId)
    principalId: principalId
    principalType: 'ServicePrincipal'
  }
}
