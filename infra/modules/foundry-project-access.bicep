// Agent mode: lets the bot's identity invoke the Foundry agent. Azure AI User (renamed
// "Foundry User" in newer docs; same role id) on the Foundry project that holds the agent.

@description('Name of the existing Foundry resource (in this resource group).')
param aiAccountName string

@description('Name of the existing Foundry project (a child of the Foundry resource) holding the agent.')
param projectName string

@description('Principal (object) id of the bot\'s managed identity.')
param principalId string

var azureAiUserRoleId = '53ca6127-db72-4b80-b1b0-d745d6d5456d'

resource aiAccount 'Microsoft.CognitiveServices/accounts@2025-06-01' existing = {
  name: aiAccountName
}

resource project 'Microsoft.CognitiveServices/accounts/projects@2025-06-01' existing = {
  parent: aiAccount
  name: projectName
}

resource agentAccess 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(project.id, principalId, azureAiUserRoleId)
  scope: project
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', azureAiUserRoleId)
    principalId: principalId
    principalType: 'ServicePrincipal'
  }
}
