namespace Sidewinder.Api.Logging;

/// <summary>The job id and outcome of a request, recorded by whoever decided them for the request-completion log line.</summary>
internal sealed class RequestJobInfo
{
    public string? JobId { get; private set; }

    public string? Outcome { get; private set; }

    public static void Set(HttpContext context, string? jobId, string outcome)
    {
        var info = Get(context);
        if (info is null)
        {
            context.Items[typeof(RequestJobInfo)] = info = new RequestJobInfo();
        }
        info.JobId = jobId ?? info.JobId;
        info.Outcome = outcome;
    }

    public static RequestJobInfo? Get(HttpContext context) => context.Items[typeof(RequestJobInfo)] as RequestJobInfo;
}
