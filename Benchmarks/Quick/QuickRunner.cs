using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;

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

/// <summary>An extra field of a row (e.g. <c>bytes_per_call</c>, <c>gflops</c>, <c>device</c>): a number or a string.</summary>
/// <param name="Name">JSON key.</param>
/// <param name="Value">A double, an int, a long, a bool or a string.</param>
public readonly record struct QuickField(string Name, object Value);

/// <summary>Timing samples of one action: seconds per invocation, and managed bytes allocated per invocation.</summary>
/// <param name="Seconds">One entry per sample.</param>
/// <param name="BytesPerCall">Bytes allocated on the calling thread over all timed invocations, divided by their number.</param>
public readonly record struct QuickSamples(double[] Seconds, double BytesPerCall)
{
    /// <summary>Median of <see cref="Seconds"/>.</summary>
    public double Median => QuickRunner.Median(Seconds);
}

/// <summary>
/// The quick mode: a few seconds per row, printed as one JSON object a line with the fields
/// <c>case</c>, <c>impl</c>, <c>threads</c>, <c>metric</c>, <c>median</c>, <c>min</c>, <c>max</c>, plus
/// extra fields where they apply (<c>bytes_per_call</c>, <c>gflops</c>, <c>device</c>, …).
/// Arguments filter rows by substring of their case name (none = all).
/// </summary>
public sealed class QuickRunner
{
    /// <summary>Every suite, in the order its rows are printed.</summary>
    public static readonly Func<IQuickSuite>[] Suites =
    {
        () => new FmaPeakSuite(),
        () => new GemmSuite(),
        () => new MlpSuite(),
        () => new OnnxRuntimeSuite(),
        () => new RecurrentSuite(),
        () => new OpenClSuite(),
        () => new RealtimeSuite(),
    };

    private readonly string[] _filters;
    private readonly TextWriter _output;
    private readonly Dictionary<(string Case, string Impl, int Threads), double> _medians = new();
    private readonly HashSet<Type> _warmed = new();

    private QuickRunner(string[] filters, TextWriter output)
    {
        _filters = filters;
        _output = output;
    }

    /// <summary>Samples per row; the median is reported with the extremes.</summary>
    public int Samples { get; init; } = 11;

    /// <summary>Target duration of one sample; the action is repeated until it is reached.</summary>
    public TimeSpan SampleTime { get; init; } = TimeSpan.FromMilliseconds(60);

    /// <summary>Rows that failed a check (e.g. a peer whose outputs differ); a non-zero count fails the run.</summary>
    public int Failures { get; private set; }

    /// <summary>Runs every suite whose rows match the filters. Returns 1 when a row failed a check.</summary>
    public static int Run(string[] filters, TextWriter output)
    {
        var runner = new QuickRunner(filters, output);
        var total = Stopwatch.StartNew();
        foreach (var suite in Suites) suite().Run(runner);
        Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture, $"quick: {total.Elapsed.TotalSeconds:F1} s, {runner.Failures} failed row(s)"));
        return runner.Failures == 0 ? 0 : 1;
    }

    /// <summary>Whether a row with this case name was asked for.</summary>
    public bool Wants(string caseName) => _filters.Length == 0 || _filters.Any(f => caseName.Contains(f, StringComparison.OrdinalIgnoreCase));

    /// <summary>The median of a row reported earlier in this run (e.g. fma_peak), or NaN.</summary>
    public double MedianOf(string caseName, string impl, int threads) =>
        _medians.TryGetValue((caseName, impl, threads), out double median) ? median : double.NaN;

    /// <summary>The median of the first row reported earlier in this run with this case name and thread count, any impl, or NaN.</summary>
    public double MedianOf(string caseName, int threads)
    {
        foreach (var entry in _medians)
            if (entry.Key.Case == caseName && entry.Key.Threads == threads) return entry.Value;
        return double.NaN;
    }

    /// <summary>
    /// Times <paramref name="action"/> and reports <paramref name="workPerInvoke"/> / seconds / <paramref name="scale"/>
    /// (e.g. flops per call and 1e9 for GFLOP/s). Warms up first; repetitions per sample are calibrated once.
    /// </summary>
    public void MeasureRate<TAction>(string caseName, string impl, int threads, string metric, double workPerInvoke, double scale, ref TAction action,
        params QuickField[] extra)
        where TAction : struct, IQuickAction
    {
        if (!Wants(caseName)) return;
        QuickSamples s = Sample(ref action);
        double[] rates = s.Seconds.Select(t => workPerInvoke / t / scale).ToArray();
        Report(caseName, impl, threads, metric, rates, [new QuickField("bytes_per_call", s.BytesPerCall), .. extra]);
    }

    /// <summary>
    /// Times <paramref name="action"/> and reports the time of one invocation in <paramref name="metric"/> units
    /// (<paramref name="unitSeconds"/> seconds each, e.g. 1e-6 for "us").
    /// </summary>
    public void MeasureTime<TAction>(string caseName, string impl, int threads, string metric, double unitSeconds, ref TAction action,
        params QuickField[] extra)
        where TAction : struct, IQuickAction
    {
        if (!Wants(caseName)) return;
        QuickSamples s = Sample(ref action);
        double[] times = s.Seconds.Select(t => t / unitSeconds).ToArray();
        Report(caseName, impl, threads, metric, times, [new QuickField("bytes_per_call", s.BytesPerCall), .. extra]);
    }

    /// <summary>
    /// Warms <paramref name="action"/> up, calibrates the repetitions per sample, then takes the samples: seconds per
    /// invocation, and the managed bytes allocated per invocation on this thread over the timed loops.
    /// </summary>
    /// <param name="action">What to time.</param>
    /// <param name="samples">Samples to take (0: <see cref="Samples"/>).</param>
    /// <param name="sampleSeconds">Target length of one sample (0: <see cref="SampleTime"/>).</param>
    public QuickSamples Sample<TAction>(ref TAction action, int samples = 0, double sampleSeconds = 0) where TAction : struct, IQuickAction
    {
        if (samples <= 0) samples = Samples;
        if (sampleSeconds <= 0) sampleSeconds = SampleTime.TotalSeconds;
        long reps = Calibrate(ref action, sampleSeconds);
        var seconds = new double[samples];
        long allocatedBefore = GC.GetAllocatedBytesForCurrentThread();
        for (int s = 0; s < seconds.Length; s++)
        {
            long start = Stopwatch.GetTimestamp();
            for (long r = 0; r < reps; r++) action.Invoke();
            seconds[s] = (Stopwatch.GetTimestamp() - start) / (double)Stopwatch.Frequency / reps;
        }
        long allocated = GC.GetAllocatedBytesForCurrentThread() - allocatedBefore;
        return new QuickSamples(seconds, allocated / (double)(reps * samples));
    }

    /// <summary>
    /// Times calls one by one for about <paramref name="seconds"/> (at most <paramref name="maxCalls"/>) and returns the
    /// tail fields a fixed tick cares about: <c>call_p50_us</c>, <c>call_p99_us</c>, <c>call_max_us</c>, and
    /// <c>stalled_time_pct</c>, the share of the time spent in calls longer than twice the median (a worker
    /// thread the OS took off its core mid-item, a host stall). The averages of <see cref="Sample"/> hide these.
    /// </summary>
    public static QuickField[] CallTail<TAction>(ref TAction action, double seconds = 0.25, int maxCalls = 2000) where TAction : struct, IQuickAction
    {
        var times = new List<double>(maxCalls);
        long end = Stopwatch.GetTimestamp() + (long)(seconds * Stopwatch.Frequency);
        long previous = Stopwatch.GetTimestamp();
        while (times.Count < maxCalls && previous < end)
        {
            action.Invoke();
            long now = Stopwatch.GetTimestamp();
            times.Add((now - previous) * 1e6 / Stopwatch.Frequency);
            previous = now;
        }
        double median = Median(times), total = times.Sum();
        double stalled = times.Where(t => t > 2 * median).Sum();
        return
        [
            new QuickField("call_p50_us", median),
            new QuickField("call_p99_us", Percentile(times, 0.99)),
            new QuickField("call_max_us", times.Max()),
            new QuickField("stalled_time_pct", 100.0 * stalled / total),
        ];
    }

    /// <summary>Writes one row from raw samples, with extra fields after the standard ones.</summary>
    public void Report(string caseName, string impl, int threads, string metric, double[] samples, params QuickField[] extra)
    {
        var sorted = samples.OrderBy(x => x).ToArray();
        double median = Median(sorted);
        _medians.TryAdd((caseName, impl, threads), median);
        var line = new StringBuilder();
        line.Append(CultureInfo.InvariantCulture, $"{{\"case\":{Json(caseName)},\"impl\":{Json(impl)},\"threads\":{threads},\"metric\":{Json(metric)}");
        line.Append(CultureInfo.InvariantCulture, $",\"median\":{Number(median)},\"min\":{Number(sorted[0])},\"max\":{Number(sorted[^1])}");
        foreach (QuickField field in extra) line.Append(',').Append(Json(field.Name)).Append(':').Append(Value(field.Value));
        line.Append('}');
        _output.WriteLine(line.ToString());
        _output.Flush();
    }

    /// <summary>Writes a row that failed a check (no timing), to the output and to stderr, and counts it as a failure.</summary>
    public void Fail(string caseName, string impl, int threads, string error)
    {
        Failures++;
        _output.WriteLine($"{{\"case\":{Json(caseName)},\"impl\":{Json(impl)},\"threads\":{threads},\"error\":{Json(error)}}}");
        _output.Flush();
        Console.Error.WriteLine($"FAILED {caseName} {impl} threads={threads}: {error}");
    }

    /// <summary>Writes a row that could not be measured here (e.g. no OpenCL device), with the reason; not a failure.</summary>
    public void Note(string caseName, string impl, string note)
    {
        if (!Wants(caseName)) return;
        _output.WriteLine($"{{\"case\":{Json(caseName)},\"impl\":{Json(impl)},\"note\":{Json(note)}}}");
        _output.Flush();
    }

    /// <summary>The median of a set of values (mean of the middle two for an even count).</summary>
    public static double Median(IEnumerable<double> values)
    {
        double[] sorted = values.OrderBy(x => x).ToArray();
        if (sorted.Length == 0) return double.NaN;
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : 0.5 * (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]);
    }

    /// <summary>The <paramref name="p"/>-quantile (0..1) of a set of values, nearest rank.</summary>
    public static double Percentile(IEnumerable<double> values, double p)
    {
        double[] sorted = values.OrderBy(x => x).ToArray();
        if (sorted.Length == 0) return double.NaN;
        int rank = (int)Math.Ceiling(p * sorted.Length);
        return sorted[Math.Clamp(rank - 1, 0, sorted.Length - 1)];
    }

    private static string Value(object value) => value switch
    {
        string s => Json(s),
        bool b => b ? "true" : "false",
        double d => Number(d),
        float f => Number(f),
        int i => i.ToString(CultureInfo.InvariantCulture),
        long l => l.ToString(CultureInfo.InvariantCulture),
        _ => Json(Convert.ToString(value, CultureInfo.InvariantCulture) ?? ""),
    };

    private static string Number(double value) =>
        double.IsFinite(value) ? value.ToString("G5", CultureInfo.InvariantCulture) : "null";

    private static string Json(string text)
    {
        var sb = new StringBuilder(text.Length + 2).Append('"');
        foreach (char c in text)
        {
            switch (c)
            {
                case '"': sb.Append("\\\""); break;
                case '\\': sb.Append("\\\\"); break;
                case < ' ': sb.Append(CultureInfo.InvariantCulture, $"\\u{(int)c:x4}"); break;
                default: sb.Append(c); break;
            }
        }
        return sb.Append('"').ToString();
    }

    private long Calibrate<TAction>(ref TAction action, double sampleSeconds) where TAction : struct, IQuickAction
    {
        // Warm up for a few sample lengths (tiering, caches, worker threads), then size one sample. The first
        // time an action type is timed it warms up longer: tiered compilation promotes methods once the JIT is quiet.
        long reps = 1;
        int warmSamples = _warmed.Add(typeof(TAction)) ? 10 : 3;
        long warmUntil = Stopwatch.GetTimestamp() + warmSamples * (long)(sampleSeconds * Stopwatch.Frequency);
        while (true)
        {
            long start = Stopwatch.GetTimestamp();
            for (long r = 0; r < reps; r++) action.Invoke();
            long end = Stopwatch.GetTimestamp();
            double seconds = (end - start) / (double)Stopwatch.Frequency;
            if (end >= warmUntil && seconds >= sampleSeconds / 4)
                return Math.Max(1, (long)Math.Ceiling(reps * sampleSeconds / seconds));
            if (seconds < sampleSeconds / 4) reps *= 2;
        }
    }
}
