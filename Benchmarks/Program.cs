using System;
using BenchmarkDotNet.Running;
using Cortex.Benchmarks.Quick;

namespace Cortex.Benchmarks;

public static class Program
{
    /// <summary>
    /// <c>quick [filter...]</c>: the quick side-by-side rows, one JSON object a line (see QuickRunner).
    /// Anything else goes to BenchmarkDotNet's switcher (e.g. <c>--filter *Gemm*</c>), in process:
    /// its out-of-process toolchain looks for a project file named like the assembly
    /// (Cortex.Benchmarks.csproj), and this one is Benchmarks.csproj.
    /// </summary>
    public static int Main(string[] args)
    {
        if (args.Length > 0 && args[0] == "quick")
            return QuickRunner.Run(args.AsSpan(1).ToArray(), Console.Out);
        if (Array.IndexOf(args, "--inProcess") < 0) args = [.. args, "--inProcess"];
        BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
        return 0;
    }
}
