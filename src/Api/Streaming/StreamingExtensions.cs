using Sidewinder.Api.Hosting;
using Swashbuckle.AspNetCore.SwaggerGen;

namespace Sidewinder.Api.Streaming;

/// <summary>Event streams of the execution endpoints (settings, their OpenAPI description) and the playground page.</summary>
internal static class StreamingExtensions
{
    public static WebApplicationBuilder AddEventStreams(this WebApplicationBuilder builder)
    {
        builder.BindValidated<StreamingOptions>(StreamingOptions.SectionName, static o => o.Validate());
        builder.Services.Configure<SwaggerGenOptions>(static o => o.OperationFilter<StreamingOperationFilter>());
        return builder;
    }
}
