using System;
using System.Collections.Generic;

namespace Cortex.OpenCL;

/// <summary>
/// An OpenCL call returned an error status. <see cref="ErrorName"/> is the status's name as the
/// OpenCL headers spell it (e.g. <c>CL_INVALID_KERNEL_ARGS</c>) and <see cref="Call"/> the call that
/// returned it (e.g. <c>clEnqueueNDRangeKernel(gemm_tiled)</c>).
/// </summary>
public sealed class OpenClException : Exception
{
    /// <summary>Creates the exception for a failed call.</summary>
    /// <param name="errorCode">The status code the call returned (negative).</param>
    /// <param name="call">What was called.</param>
    /// <param name="detail">Extra context (e.g. a build log), or null.</param>
    public OpenClException(int errorCode, string call, string? detail = null)
        : base(Describe(errorCode, call, detail))
    {
        ErrorCode = errorCode;
        ErrorName = NameOf(errorCode);
        Call = call ?? "";
        Detail = detail;
    }

    /// <summary>The raw status code, e.g. -52.</summary>
    public int ErrorCode { get; }

    /// <summary>The status's name, e.g. <c>CL_INVALID_KERNEL_ARGS</c>.</summary>
    public string ErrorName { get; }

    /// <summary>The failed call, e.g. <c>clBuildProgram</c>.</summary>
    public string Call { get; }

    /// <summary>Extra context such as the compiler's build log; null when there is none.</summary>
    public string? Detail { get; }

    /// <summary>The name of an OpenCL status code as the headers spell it; <c>CL_UNKNOWN_ERROR(code)</c> for codes it does not know.</summary>
    /// <param name="errorCode">A status code.</param>
    public static string NameOf(int errorCode) =>
        Names.TryGetValue(errorCode, out string? name) ? name : $"CL_UNKNOWN_ERROR({errorCode})";

    private static string Describe(int errorCode, string call, string? detail)
    {
        string text = $"{call} failed with {NameOf(errorCode)} ({errorCode}).";
        return detail is null ? text : text + Environment.NewLine + detail;
    }

    private static readonly Dictionary<int, string> Names = new()
    {
        [0] = "CL_SUCCESS",
        [-1] = "CL_DEVICE_NOT_FOUND",
        [-2] = "CL_DEVICE_NOT_AVAILABLE",
        [-3] = "CL_COMPILER_NOT_AVAILABLE",
        [-4] = "CL_MEM_OBJECT_ALLOCATION_FAILURE",
        [-5] = "CL_OUT_OF_RESOURCES",
        [-6] = "CL_OUT_OF_HOST_MEMORY",
        [-7] = "CL_PROFILING_INFO_NOT_AVAILABLE",
        [-8] = "CL_MEM_COPY_OVERLAP",
        [-9] = "CL_IMAGE_FORMAT_MISMATCH",
        [-10] = "CL_IMAGE_FORMAT_NOT_SUPPORTED",
        [-11] = "CL_BUILD_PROGRAM_FAILURE",
        [-12] = "CL_MAP_FAILURE",
        [-13] = "CL_MISALIGNED_SUB_BUFFER_OFFSET",
        [-14] = "CL_EXEC_STATUS_ERROR_FOR_EVENTS_IN_WAIT_LIST",
        [-15] = "CL_COMPILE_PROGRAM_FAILURE",
        [-16] = "CL_LINKER_NOT_AVAILABLE",
        [-17] = "CL_LINK_PROGRAM_FAILURE",
        [-18] = "CL_DEVICE_PARTITION_FAILED",
        [-19] = "CL_KERNEL_ARG_INFO_NOT_AVAILABLE",
        [-30] = "CL_INVALID_VALUE",
        [-31] = "CL_INVALID_DEVICE_TYPE",
        [-32] = "CL_INVALID_PLATFORM",
        [-33] = "CL_INVALID_DEVICE",
        [-34] = "CL_INVALID_CONTEXT",
        [-35] = "CL_INVALID_QUEUE_PROPERTIES",
        [-36] = "CL_INVALID_COMMAND_QUEUE",
        [-37] = "CL_INVALID_HOST_PTR",
        [-38] = "CL_INVALID_MEM_OBJECT",
        [-39] = "CL_INVALID_IMAGE_FORMAT_DESCRIPTOR",
        [-40] = "CL_INVALID_IMAGE_SIZE",
        [-41] = "CL_INVALID_SAMPLER",
        [-42] = "CL_INVALID_BINARY",
        [-43] = "CL_INVALID_BUILD_OPTIONS",
        [-44] = "CL_INVALID_PROGRAM",
        [-45] = "CL_INVALID_PROGRAM_EXECUTABLE",
        [-46] = "CL_INVALID_KERNEL_NAME",
        [-47] = "CL_INVALID_KERNEL_DEFINITION",
        [-48] = "CL_INVALID_KERNEL",
        [-49] = "CL_INVALID_ARG_INDEX",
        [-50] = "CL_INVALID_ARG_VALUE",
        [-51] = "CL_INVALID_ARG_SIZE",
        [-52] = "CL_INVALID_KERNEL_ARGS",
        [-53] = "CL_INVALID_WORK_DIMENSION",
        [-54] = "CL_INVALID_WORK_GROUP_SIZE",
        [-55] = "CL_INVALID_WORK_ITEM_SIZE",
        [-56] = "CL_INVALID_GLOBAL_OFFSET",
        [-57] = "CL_INVALID_EVENT_WAIT_LIST",
        [-58] = "CL_INVALID_EVENT",
        [-59] = "CL_INVALID_OPERATION",
        [-60] = "CL_INVALID_GL_OBJECT",
        [-61] = "CL_INVALID_BUFFER_SIZE",
        [-62] = "CL_INVALID_MIP_LEVEL",
        [-63] = "CL_INVALID_GLOBAL_WORK_SIZE",
        [-64] = "CL_INVALID_PROPERTY",
        [-65] = "CL_INVALID_IMAGE_DESCRIPTOR",
        [-66] = "CL_INVALID_COMPILER_OPTIONS",
        [-67] = "CL_INVALID_LINKER_OPTIONS",
        [-68] = "CL_INVALID_DEVICE_PARTITION_COUNT",
        [-69] = "CL_INVALID_PIPE_SIZE",
        [-70] = "CL_INVALID_DEVICE_QUEUE",
        [-71] = "CL_INVALID_SPEC_ID",
        [-72] = "CL_MAX_SIZE_RESTRICTION_EXCEEDED",
        [-1000] = "CL_INVALID_GL_SHAREGROUP_REFERENCE_KHR",
        [-1001] = "CL_PLATFORM_NOT_FOUND_KHR",
        [-1002] = "CL_INVALID_D3D10_DEVICE_KHR",
        [-1003] = "CL_INVALID_D3D10_RESOURCE_KHR",
        [-1057] = "CL_DEVICE_PARTITION_FAILED_EXT",
        [-1058] = "CL_INVALID_PARTITION_COUNT_EXT",
        [-1059] = "CL_INVALID_PARTITION_NAME_EXT",
        [-1092] = "CL_EGL_RESOURCE_NOT_ACQUIRED_KHR",
        [-1093] = "CL_INVALID_EGL_OBJECT_KHR",
        [-1094] = "CL_INVALID_ACCELERATOR_INTEL",
        [-1095] = "CL_INVALID_ACCELERATOR_TYPE_INTEL",
        [-1096] = "CL_INVALID_ACCELERATOR_DESCRIPTOR_INTEL",
        [-1097] = "CL_ACCELERATOR_TYPE_NOT_SUPPORTED_INTEL",
        [-1098] = "CL_INVALID_VA_API_MEDIA_ADAPTER_INTEL",
        [-1099] = "CL_INVALID_VA_API_MEDIA_SURFACE_INTEL",
        [-1100] = "CL_VA_API_MEDIA_SURFACE_ALREADY_ACQUIRED_INTEL",
        [-1101] = "CL_VA_API_MEDIA_SURFACE_NOT_ACQUIRED_INTEL",
    };
}

/// <summary>
/// No usable OpenCL device: the OpenCL library could not be loaded, it reported no platform, or no
/// device matched the request. <see cref="Tried"/> says what was tried.
/// </summary>
public sealed class OpenClUnavailableException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="message">What is missing.</param>
    /// <param name="tried">What was tried (library names, platforms and devices seen, the request).</param>
    /// <param name="inner">The underlying failure, if any.</param>
    public OpenClUnavailableException(string message, string tried, Exception? inner = null)
        : base($"{message} Tried: {tried}", inner)
    {
        Tried = tried ?? "";
    }

    /// <summary>What was tried, readable: the library names, the platforms and devices found, the request.</summary>
    public string Tried { get; }
}
