using System;
using System.Threading;

namespace Cortex;

/// <summary>
/// Detects overlapping calls from two threads into an object that one thread at a time may use (a
/// <see cref="Brain"/>, the reader or the writer side of a <see cref="Realtime.ParameterExchange"/>), the way .NET
/// collections detect concurrent modification: cheaply, without allocating, and by throwing
/// <see cref="InvalidOperationException"/> that names the rule. One compare-exchange on entry and one write on exit;
/// calls nested on the thread that is already inside (a public method calling another) pass through.
/// It catches overlaps, not every misuse: two threads taking turns without synchronising are not detected.
/// </summary>
internal sealed class SingleThreadGuard
{
    private readonly string _owner;
    private readonly string _rule;
    private int _thread;   // managed id of the thread inside, 0 when none

    /// <param name="owner">What is guarded, for messages ("Brain", "ParameterExchange reader").</param>
    /// <param name="rule">The rule broken, as the documentation states it.</param>
    internal SingleThreadGuard(string owner, string rule)
    {
        _owner = owner;
        _rule = rule;
    }

    /// <summary>Enters on behalf of <paramref name="method"/> (a constant, so that nothing is allocated); dispose the scope to leave.</summary>
    internal Scope Enter(string method)
    {
        int me = Environment.CurrentManagedThreadId;
        int inside = Interlocked.CompareExchange(ref _thread, me, 0);
        if (inside == 0) return new Scope(this);
        if (inside == me) return default;   // nested on the same thread
        throw Overlap(method, me, inside);
    }

    private InvalidOperationException Overlap(string method, int me, int inside) =>
        new($"{_owner}.{method} was called on thread {me} while thread {inside} was inside another call on the same {_owner}. {_rule} " +
            "(see docs/threading.md).");

    /// <summary>Throws <see cref="ArgumentException"/> when an output span shares memory with an input span.</summary>
    internal static void CheckDisjoint(ReadOnlySpan<float> input, ReadOnlySpan<float> output, string inputName, string outputName)
    {
        if (input.Overlaps(output))
        {
            throw new ArgumentException($"{outputName} overlaps {inputName}: outputs are written while inputs are still read, so they must not share memory.", outputName);
        }
    }

    /// <summary>Leaves the guard when disposed (a no-op for a nested call).</summary>
    internal readonly struct Scope : IDisposable
    {
        private readonly SingleThreadGuard? _guard;

        internal Scope(SingleThreadGuard guard) => _guard = guard;

        /// <summary>Leaves.</summary>
        public void Dispose()
        {
            if (_guard is not null) Volatile.Write(ref _guard._thread, 0);
        }
    }
}
