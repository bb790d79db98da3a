# Broker.Host, the node executable. Built from the repository root:
#   docker build -t broker-host .
FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
WORKDIR /src
COPY Directory.Build.props Directory.Packages.props Broker.sln ./
COPY Broker.Core/ Broker.Core/
COPY Broker.Host/ Broker.Host/
COPY samples/ samples/
RUN dotnet publish Broker.Host/Broker.Host.csproj -c Release -o /app

FROM mcr.microsoft.com/dotnet/runtime:10.0
WORKDIR /app
COPY --from=build /app .
# 4053: Akka.Remote (cluster membership).
EXPOSE 4053
ENTRYPOINT ["dotnet", "Broker.Host.dll"]
