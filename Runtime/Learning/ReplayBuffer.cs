using System;
using Cortex.Realtime;

namespace Cortex.Learning;

/// <summary>
/// A fixed-capacity ring of transitions (s, a, r, s′, terminal) in flat float arrays. Adding and
/// sampling allocate nothing; when full, the oldest transition is overwritten. Non-finite samples
/// are refused (and counted) so one bad frame cannot poison training.
/// </summary>
public sealed class ReplayBuffer
{
    private readonly float[] _observations, _actions, _rewards, _nextObservations, _terminals;
    private int _next;

    /// <summary>Creates an empty buffer.</summary>
    /// <param name="capacity">Transitions kept, at least 1.</param>
    /// <param name="observationSize">Floats per observation, at least 1.</param>
    /// <param name="actionSize">Floats per action (1 for a discrete action index).</param>
    public ReplayBuffer(int capacity, int observationSize, int actionSize = 1)
    {
        if (capacity < 1) throw new ArgumentOutOfRangeException(nameof(capacity), capacity, "capacity must be at least 1.");
        if (observationSize < 1) throw new ArgumentOutOfRangeException(nameof(observationSize), observationSize, "observationSize must be at least 1.");
        if (actionSize < 1) throw new ArgumentOutOfRangeException(nameof(actionSize), actionSize, "actionSize must be at least 1.");
        if ((long)capacity * observationSize > int.MaxValue / 2) throw new ArgumentOutOfRangeException(nameof(capacity), capacity, "capacity * observationSize is too large for one array.");
        Capacity = capacity;
        ObservationSize = observationSize;
        ActionSize = actionSize;
        _observations = new float[capacity * observationSize];
        _nextObservations = new float[capacity * observationSize];
        _actions = new float[capacity * actionSize];
        _rewards = new float[capacity];
        _terminals = new float[capacity];
    }

    /// <summary>Most transitions kept.</summary>
    public int Capacity { get; }

    /// <summary>Floats per observation.</summary>
    public int ObservationSize { get; }

    /// <summary>Floats per action.</summary>
    public int ActionSize { get; }

    /// <summary>Transitions currently held.</summary>
    public int Count { get; private set; }

    /// <summary>Transitions ever added (including overwritten ones).</summary>
    public long Added { get; private set; }

    /// <summary>Transitions refused because a value was NaN or infinite.</summary>
    public long Rejected { get; private set; }

    /// <summary>Adds a transition; returns false (and stores nothing) when any value is not finite.</summary>
    /// <param name="observation">s (ObservationSize).</param>
    /// <param name="action">a (ActionSize).</param>
    /// <param name="reward">r.</param>
    /// <param name="nextObservation">s′ (ObservationSize).</param>
    /// <param name="terminal">True when s′ ends the episode for real (not a time-limit truncation): no bootstrapping from it.</param>
    public bool Add(ReadOnlySpan<float> observation, ReadOnlySpan<float> action, float reward, ReadOnlySpan<float> nextObservation, bool terminal)
    {
        if (observation.Length != ObservationSize) throw new ArgumentException($"observation holds {observation.Length} values but the buffer stores {ObservationSize}.", nameof(observation));
        if (nextObservation.Length != ObservationSize) throw new ArgumentException($"nextObservation holds {nextObservation.Length} values but the buffer stores {ObservationSize}.", nameof(nextObservation));
        if (action.Length != ActionSize) throw new ArgumentException($"action holds {action.Length} values but the buffer stores {ActionSize}.", nameof(action));
        if (!Columns.AllFinite(observation) || !Columns.AllFinite(nextObservation) || !Columns.AllFinite(action) || !float.IsFinite(reward))
        {
            Rejected++;
            return false;
        }
        int i = _next;
        observation.CopyTo(_observations.AsSpan(i * ObservationSize, ObservationSize));
        nextObservation.CopyTo(_nextObservations.AsSpan(i * ObservationSize, ObservationSize));
        action.CopyTo(_actions.AsSpan(i * ActionSize, ActionSize));
        _rewards[i] = reward;
        _terminals[i] = terminal ? 1f : 0f;
        _next = (i + 1) % Capacity;
        if (Count < Capacity) Count++;
        Added++;
        return true;
    }

    /// <summary>Adds a transition with a discrete action index.</summary>
    /// <param name="observation">s.</param>
    /// <param name="action">Action index (ActionSize must be 1).</param>
    /// <param name="reward">r.</param>
    /// <param name="nextObservation">s′.</param>
    /// <param name="terminal">True at a real episode end.</param>
    public bool Add(ReadOnlySpan<float> observation, int action, float reward, ReadOnlySpan<float> nextObservation, bool terminal)
    {
        Span<float> a = stackalloc float[1];
        a[0] = action;
        return Add(observation, a, reward, nextObservation, terminal);
    }

    /// <summary>Draws <paramref name="batch"/> transitions uniformly with replacement into the given columns.</summary>
    /// <param name="random">The generator.</param>
    /// <param name="batch">Rows to draw, at least 1.</param>
    /// <param name="observations">(batch, ObservationSize).</param>
    /// <param name="actions">(batch, ActionSize).</param>
    /// <param name="rewards">(batch).</param>
    /// <param name="nextObservations">(batch, ObservationSize).</param>
    /// <param name="terminals">(batch): 1 for real episode ends, else 0.</param>
    public void Sample(SeededRandom random, int batch, Span<float> observations, Span<float> actions, Span<float> rewards,
        Span<float> nextObservations, Span<float> terminals)
    {
        if (random is null) throw new ArgumentNullException(nameof(random));
        if (Count == 0) throw new InvalidOperationException("The replay buffer is empty.");
        if (batch < 1) throw new ArgumentOutOfRangeException(nameof(batch), batch, "batch must be at least 1.");
        Need(observations.Length, batch * ObservationSize, nameof(observations));
        Need(nextObservations.Length, batch * ObservationSize, nameof(nextObservations));
        Need(actions.Length, batch * ActionSize, nameof(actions));
        Need(rewards.Length, batch, nameof(rewards));
        Need(terminals.Length, batch, nameof(terminals));
        int o = ObservationSize, a = ActionSize;
        for (int r = 0; r < batch; r++)
        {
            int i = random.NextInt(Count);
            _observations.AsSpan(i * o, o).CopyTo(observations.Slice(r * o, o));
            _nextObservations.AsSpan(i * o, o).CopyTo(nextObservations.Slice(r * o, o));
            _actions.AsSpan(i * a, a).CopyTo(actions.Slice(r * a, a));
            rewards[r] = _rewards[i];
            terminals[r] = _terminals[i];
        }
    }

    /// <summary>Forgets every transition.</summary>
    public void Clear()
    {
        Count = 0;
        _next = 0;
    }

    private static void Need(int length, int needed, string name)
    {
        if (length < needed) throw new ArgumentException($"{name} holds {length} values but {needed} are needed.", name);
    }
}
