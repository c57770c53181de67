namespace Cortex.OpenCL;

/// <summary>Facts about the OpenCL backend assembly.</summary>
public static class OpenClInfo
{
    /// <summary>The Silk.NET.OpenCL binding version this backend is built against.</summary>
    public const string BindingVersion = "2.23.0";
}
