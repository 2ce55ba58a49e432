// The container registry azd pushes the bot's image to (createRegistry=true). No admin user: the app
// pulls with its managed identity (AcrPull, modules/acr-pull.bicep), azd pushes with the deployer's
// Entra sign-in.

@description('Registry name: 5-50 letters and digits, globally unique.')
@minLength(5)
@maxLength(50)
param name string

param location string

param tags object = {}

resource registry 'Microsoft.ContainerRegistry/registries@2023-07-01' = {
  name: name
  location: location
  tags: tags
  sku: {
    name: 'Basic'
  }
  properties: {
    adminUserEnabled: false
    anonymousPullEnabled: false
  }
}

output loginServer string = registry.properties.loginServer
