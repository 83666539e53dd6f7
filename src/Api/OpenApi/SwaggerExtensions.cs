using System.Reflection;
using Microsoft.OpenApi;
using Sidewinder.Api.Execution;
using Sidewinder.Api.Security;

namespace Sidewinder.Api.OpenApi;

/// <summary>Swagger (OpenAPI) document generated from endpoint metadata and XML comments, and Swagger UI at <c>/swagger</c>.</summary>
internal static class SwaggerExtensions
{
    public static WebApplicationBuilder AddSwaggerDocs(this WebApplicationBuilder builder)
    {
        builder.Services.AddEndpointsApiExplorer();
        builder.Services.AddSwaggerGen(options =>
        {
            options.SwaggerDoc("v1", new OpenApiInfo
            {
                Title = "Sidewinder",
                Version = "v1",
                Description = "Runs Python on request: evaluate an expression, run statements, or call a function from a script. " +
                    "Every error is an RFC 7807 problem whose `outcome` field says how the request ended " +
                    "(`ok`, `error`, `timeout`, `cancelled`, `rejected`, `invalid`), so clients need not decode status codes.",
            });
            var xml = Path.Combine(AppContext.BaseDirectory, Assembly.GetExecutingAssembly().GetName().Name + ".xml");
            if (File.Exists(xml))
            {
                options.IncludeXmlComments(xml);
            }
            options.OperationFilter<ExamplesOperationFilter>();
            // A job's value is any JSON value, carried through as raw text: the schema of a JsonElement (empty, "any").
            options.MapType<RawJsonValue>(static () => new OpenApiSchema());
            options.AddSecurityDefinition(ApiKeyDefaults.Scheme, new OpenApiSecurityScheme
            {
                Type = SecuritySchemeType.Http,
                Scheme = "bearer",
                Description = "An API key from Auth:ApiKeys, sent as `Authorization: Bearer <key>` (or `X-Api-Key: <key>`). " +
                    "Not needed when the service runs without keys on loopback.",
            });
            options.AddSecurityRequirement(document => new OpenApiSecurityRequirement
            {
                [new OpenApiSecuritySchemeReference(ApiKeyDefaults.Scheme, document)] = [],
            });
        });
        return builder;
    }

    private static readonly PathString UiPath = new("/swagger");

    public static WebApplication UseSwaggerDocs(this WebApplication app)
    {
        // The document is an endpoint and the UI's middleware only sees /swagger requests: neither inspects the
        // execution requests.
        app.MapSwagger();
        app.UseWhen(context => context.Request.Path.StartsWithSegments(UiPath, StringComparison.OrdinalIgnoreCase), branch =>
            branch.UseSwaggerUI(options =>
            {
                options.SwaggerEndpoint("/swagger/v1/swagger.json", "Sidewinder v1");
                options.DocumentTitle = "Sidewinder API";
                options.DisplayRequestDuration();
            }));
        return app;
    }
}
