using System;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;

namespace Cortex.Benchmarks.Quick;

/// <summary>One group of quick rows (a kernel, a model, a peer runtime). Add a class and list it in <see cref="QuickRunner.Suites"/>.</summary>
public interface IQuickSuite
{
    /// <summary>Measures its cases and reports each through <paramref name="runner"/>.</summary>
    void Run(QuickRunner runner);
}

/// <summary>Something to time, as a struct so the timing loop calls it directly (no delegate, no allocation).</summary>
public interface IQuickAction
{
    /// <summary>One repetition of the measured work.</summary>
    void Invoke();
}

/// <summary>
/// The quick mode: a few seconds per row, printed as one JSON object a line with the fields
/// <c>case</c>, <c>impl</c>, <c>threads</c>, <c>metric</c>, <c>median</c>, <c>min</c>, <c>max</c>.
/// Arguments filter rows by substring of their case name (none = all).
/// </summary>
public sealed class QuickRunner
{
    /// <summary>Every suite, in the order its rows are printed.</summary>
    public static readonly Func<IQuickSuite>[] Suites =
    {
        () => new FmaPeakSuite(),
        () => new GemmSuite(),
    };

    private readonly string[] _filters;
    private readonly TextWriter _output;

    private QuickRunner(string[] filters, TextWriter output)
    {
        _filters = filters;
        _output = output;
    }

    /// <summary>Samples per row; the median is reported with the extremes.</summary>
    public int Samples { get; init; } = 11;

    /// <summary>Target duration of one sample; the action is repeated until it is reached.</summary>
    public TimeSpan SampleTime { get; init; } = TimeSpan.FromMilliseconds(60);

    /// <summary>Runs every suite whose rows match the filters.</summary>
    public static int Run(string[] filters, TextWriter output)
    {
        var runner = new QuickRunner(filters, output);
        foreach (var suite in Suites) suite().Run(runner);
        return 0;
    }

    /// <summary>Whether a row with this case name was asked for.</summary>
    public bool Wants(string caseName) => _filters.Length == 0 || _filters.Any(f => caseName.Contains(f, StringComparison.OrdinalIgnoreCase));

    /// <summary>
    /// Times <paramref name="action"/> and reports <paramref name="workPerInvoke"/> / seconds / <paramref name="scale"/>
    /// (e.g. flops per call and 1e9 for GFLOP/s). Warms up first; repetitions per sample are calibrated once.
    /// </summary>
    public void MeasureRate<TAction>(string caseName, string impl, int threads, string metric, double workPerInvoke, double scale, ref TAction action)
        where TAction : struct, IQuickAction
    {
        if (!Wants(caseName)) return;
        long reps = Calibrate(ref action);
        var rates = new double[Samples];
        for (int s = 0; s < rates.Length; s++)
        {
            long start = Stopwatch.GetTimestamp();
            for (long r = 0; r < reps; r++) action.Invoke();
            double seconds = (Stopwatch.GetTimestamp() - start) / (double)Stopwatch.Frequency;
            rates[s] = workPerInvoke * reps / seconds / scale;
        }
        Report(caseName, impl, threads, metric, rates);
    }

    /// <summary>
    /// Times <paramref name="action"/> and reports the time of one invocation in <paramref name="metric"/> units
    /// (<paramref name="unitSeconds"/> seconds each, e.g. 1e-6 for "us").
    /// </summary>
    public void MeasureTime<TAction>(string caseName, string impl, int threads, string metric, double unitSeconds, ref TAction action)
        where TAction : struct, IQuickAction
    {
        if (!Wants(caseName)) return;
        long reps = Calibrate(ref action);
        var times = new double[Samples];
        for (int s = 0; s < times.Length; s++)
        {
            long start = Stopwatch.GetTimestamp();
            for (long r = 0; r < reps; r++) action.Invoke();
            times[s] = (Stopwatch.GetTimestamp() - start) / (double)Stopwatch.Frequency / reps / unitSeconds;
        }
        Report(caseName, impl, threads, metric, times);
    }

    /// <summary>Writes one row from raw samples.</summary>
    public void Report(string caseName, string impl, int threads, string metric, double[] samples)
    {
        var sorted = samples.OrderBy(x => x).ToArray();
        double median = sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : 0.5 * (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]);
        _output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{{\"case\":\"{caseName}\",\"impl\":\"{impl}\",\"threads\":{threads},\"metric\":\"{metric}\",\"median\":{median:G5},\"min\":{sorted[0]:G5},\"max\":{sorted[^1]:G5}}}"));
        _output.Flush();
    }

    private long Calibrate<TAction>(ref TAction action) where TAction : struct, IQuickAction
    {
        // Warm up for a few sample lengths (tiering, caches, worker threads), then size one sample.
        long reps = 1;
        long warmUntil = Stopwatch.GetTimestamp() + 3 * (long)(SampleTime.TotalSeconds * Stopwatch.Frequency);
        while (true)
        {
            long start = Stopwatch.GetTimestamp();
            for (long r = 0; r < reps; r++) action.Invoke();
            long end = Stopwatch.GetTimestamp();
            double seconds = (end - start) / (double)Stopwatch.Frequency;
            if (end >= warmUntil && seconds >= SampleTime.TotalSeconds / 4)
                return Math.Max(1, (long)Math.Ceiling(reps * SampleTime.TotalSeconds / seconds));
            if (seconds < SampleTime.TotalSeconds / 4) reps *= 2;
        }
    }
}
