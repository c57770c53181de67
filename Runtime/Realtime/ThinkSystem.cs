using System;
using System.Buffers;
using System.Runtime.InteropServices;

namespace Cortex.Realtime;

/// <summary>
/// Names a column gathered by <see cref="ThinkSystem.Gather{TObservation}(BrainHandle, ReadOnlySpan{TObservation})"/>;
/// after <see cref="ThinkSystem.Think"/> hand it to <see cref="ThinkSystem.Scatter{TAction}(ThinkTicket, Span{TAction})"/>
/// to read that column's actions. Valid until the next tick starts gathering.
/// </summary>
public readonly struct ThinkTicket
{
    internal ThinkTicket(int generation, int index, int rows)
    {
        Generation = generation;
        Index = index;
        Rows = rows;
    }

    /// <summary>Rows (agents) in the column.</summary>
    public int Rows { get; }

    internal int Generation { get; }

    internal int Index { get; }
}

/// <summary>What one <see cref="ThinkSystem.Think"/> did.</summary>
/// <param name="Tick">0-based index of the tick.</param>
/// <param name="BrainCalls">Batched <see cref="Brain.Predict"/> calls: one per brain that had rows.</param>
/// <param name="Rows">Agents that thought.</param>
/// <param name="Columns">Columns (chunks) gathered.</param>
public readonly record struct ThinkStats(long Tick, int BrainCalls, int Rows, int Columns);

/// <summary>
/// Batched thinking for ECS-style worlds. Each tick a system hands over contiguous columns of unmanaged
/// observation structs (one chunk at a time, with the brain that thinks for them); the think system
/// gathers every column that shares a brain into one buffer, makes ONE <see cref="Brain.Predict"/> call per
/// brain in <see cref="Think"/>, and scatters the actions back into the action columns. A struct is one
/// row: sizeof(observation) = Inputs·4 and sizeof(action) = Outputs·4 (checked).
/// <para>
/// Gather buffers are sized up front (rows per brain) and grow by doubling when a tick needs more;
/// each growth is counted in <see cref="BufferGrowths"/> and raised on <see cref="BufferGrown"/>, so a
/// steady state allocates nothing. Use from one thread (the game thread).
/// </para>
/// </summary>
public sealed class ThinkSystem
{
    private readonly int _rowsPerBrain;
    private Lane?[] _lanes;
    private int[] _active;
    private int _activeCount;
    private Submission[] _submissions;
    private int _submissionCount;
    private int[] _routeLane, _routeRow;
    private int _routeCount;
    private int _generation;
    private bool _thought = true, _outputsValid;

    /// <summary>Creates a think system over a registry, with gather buffers for every brain already registered.</summary>
    /// <param name="registry">Where handles are looked up (brains registered later get buffers at first use, counted as a growth).</param>
    /// <param name="rowsPerBrain">Agents per brain per tick to size the buffers for, at least 1.</param>
    /// <param name="columnsPerTick">Columns (chunks) per tick to size the bookkeeping for, at least 1.</param>
    public ThinkSystem(BrainRegistry registry, int rowsPerBrain = 1024, int columnsPerTick = 64)
    {
        Registry = registry ?? throw new ArgumentNullException(nameof(registry));
        if (rowsPerBrain < 1) throw new ArgumentOutOfRangeException(nameof(rowsPerBrain), rowsPerBrain, "rowsPerBrain must be at least 1.");
        if (columnsPerTick < 1) throw new ArgumentOutOfRangeException(nameof(columnsPerTick), columnsPerTick, "columnsPerTick must be at least 1.");
        _rowsPerBrain = rowsPerBrain;
        int slots = Math.Max(registry.SlotCount, 4);
        _lanes = new Lane?[slots];
        _active = new int[slots];
        for (int slot = 0; slot < registry.SlotCount; slot++)
        {
            if (registry.AtSlot(slot) is { } brain) _lanes[slot] = new Lane(brain, rowsPerBrain);
        }
        _submissions = new Submission[columnsPerTick];
        _routeLane = new int[rowsPerBrain];
        _routeRow = new int[rowsPerBrain];
    }

    /// <summary>Where brain handles are resolved.</summary>
    public BrainRegistry Registry { get; }

    /// <summary>What the last <see cref="Think"/> did.</summary>
    public ThinkStats LastTick { get; private set; }

    /// <summary>Ticks thought so far.</summary>
    public long Ticks { get; private set; }

    /// <summary>Batched brain calls so far (including <see cref="ThinkNow{TObservation, TAction}"/>).</summary>
    public long TotalBrainCalls { get; private set; }

    /// <summary>Agent rows thought so far.</summary>
    public long TotalRows { get; private set; }

    /// <summary>Times a buffer had to be allocated or enlarged after construction. Zero in a well-sized steady state.</summary>
    public int BufferGrowths { get; private set; }

    /// <summary>Raised when a buffer grows: the brain (None for the column table) and the new capacity in rows or columns.</summary>
    public event Action<BrainHandle, int>? BufferGrown;

    /// <summary>Gather-buffer capacity for a brain, in rows (0 when it has none yet).</summary>
    /// <param name="brain">A registered handle.</param>
    public int Capacity(BrainHandle brain)
    {
        _ = Registry.Get(brain);
        return brain.Slot < _lanes.Length && _lanes[brain.Slot] is { } lane ? lane.CapacityRows : 0;
    }

    /// <summary>Makes sure a brain's buffers hold at least <paramref name="rows"/> agents (allocates now rather than mid-game).</summary>
    /// <param name="brain">A registered handle.</param>
    /// <param name="rows">Agents per tick, at least 1.</param>
    public void Reserve(BrainHandle brain, int rows)
    {
        Brain b = Registry.Get(brain);
        if (rows < 1) throw new ArgumentOutOfRangeException(nameof(rows), rows, "rows must be at least 1.");
        EnsureSlots(brain.Slot + 1, report: false);
        Lane lane = _lanes[brain.Slot] ??= new Lane(b, rows);
        if (lane.CapacityRows < rows) lane.Grow(rows, keepRows: lane.Generation == _generation ? lane.Rows : 0);
        if (_routeLane.Length < rows) ResizeRoutes(rows);
    }

    /// <summary>
    /// Gathers a column of observations for <paramref name="brain"/> now; read the actions with
    /// <see cref="Scatter{TAction}(ThinkTicket, Span{TAction})"/> after <see cref="Think"/>. The span is
    /// copied, so it may point anywhere (a chunk, a NativeArray, stack memory).
    /// </summary>
    /// <typeparam name="TObservation">Unmanaged struct of Inputs floats.</typeparam>
    /// <param name="brain">The brain that thinks for every row.</param>
    /// <param name="observations">One struct per agent.</param>
    public ThinkTicket Gather<TObservation>(BrainHandle brain, ReadOnlySpan<TObservation> observations) where TObservation : unmanaged
    {
        BeginGathering();
        Lane lane = Activate(brain, nameof(brain));
        Columns.CheckRow<TObservation>(lane.Inputs, nameof(observations), "Inputs", brain);
        return AddUniform(brain.Slot, lane, MemoryMarshal.Cast<TObservation, float>(observations), observations.Length, null, null, 0);
    }

    /// <summary>
    /// Gathers a column whose rows may use different brains (a chunk holds many agents; each names its
    /// brain in a <see cref="BrainHandle"/> component). Rows are routed to their brain's batch.
    /// </summary>
    /// <typeparam name="TObservation">Unmanaged struct of Inputs floats (for every brain named).</typeparam>
    /// <param name="brains">The brain of each row, at least as many as observations.</param>
    /// <param name="observations">One struct per agent.</param>
    public ThinkTicket Gather<TObservation>(ReadOnlySpan<BrainHandle> brains, ReadOnlySpan<TObservation> observations) where TObservation : unmanaged
    {
        BeginGathering();
        ValidateRouted<TObservation>(brains, observations.Length, actionBytes: -1);
        return AddRouted(brains, MemoryMarshal.Cast<TObservation, float>(observations), observations.Length, null, null, 0);
    }

    /// <summary>
    /// Gathers a column now and writes its actions into <paramref name="actions"/> during <see cref="Think"/>.
    /// The action column is held by reference (an array, an array slice such as an ECS chunk's column, or a
    /// <see cref="MemoryManager{T}"/>) and written when <see cref="Think"/> runs, so it must still be valid then.
    /// </summary>
    /// <typeparam name="TObservation">Unmanaged struct of Inputs floats.</typeparam>
    /// <typeparam name="TAction">Unmanaged struct of Outputs floats.</typeparam>
    /// <param name="brain">The brain that thinks for every row.</param>
    /// <param name="observations">One struct per agent.</param>
    /// <param name="actions">At least as many structs; the first observations.Length are written.</param>
    public void Submit<TObservation, TAction>(BrainHandle brain, ReadOnlySpan<TObservation> observations, Memory<TAction> actions)
        where TObservation : unmanaged where TAction : unmanaged
    {
        BeginGathering();
        Lane lane = Activate(brain, nameof(brain));
        Columns.CheckRow<TObservation>(lane.Inputs, nameof(observations), "Inputs", brain);
        Columns.CheckRow<TAction>(lane.Outputs, nameof(actions), "Outputs", brain);
        int rows = observations.Length;
        CheckActionRows(actions.Length, rows);
        if (rows == 0) return;
        object target = TargetOf(actions, out int start);
        AddUniform(brain.Slot, lane, MemoryMarshal.Cast<TObservation, float>(observations), rows, ActionWriter<TAction>.Instance, target, start);
    }

    /// <summary>
    /// <see cref="Submit{TObservation, TAction}(BrainHandle, ReadOnlySpan{TObservation}, Memory{TAction})"/> for a column whose rows
    /// name their own brains.
    /// </summary>
    /// <typeparam name="TObservation">Unmanaged struct of Inputs floats.</typeparam>
    /// <typeparam name="TAction">Unmanaged struct of Outputs floats.</typeparam>
    /// <param name="brains">The brain of each row, at least as many as observations.</param>
    /// <param name="observations">One struct per agent.</param>
    /// <param name="actions">At least as many structs; the first observations.Length are written.</param>
    public void Submit<TObservation, TAction>(ReadOnlySpan<BrainHandle> brains, ReadOnlySpan<TObservation> observations, Memory<TAction> actions)
        where TObservation : unmanaged where TAction : unmanaged
    {
        BeginGathering();
        int rows = observations.Length;
        ValidateRouted<TObservation>(brains, rows, Columns.SizeOf<TAction>());
        CheckActionRows(actions.Length, rows);
        if (rows == 0) return;
        object target = TargetOf(actions, out int start);
        AddRouted(brains, MemoryMarshal.Cast<TObservation, float>(observations), rows, ActionWriter<TAction>.Instance, target, start);
    }

    /// <summary>
    /// Runs one batched <see cref="Brain.Predict"/> per brain over everything gathered this tick, writes the
    /// actions of submitted columns, and makes gathered tickets readable. The next gather starts a new tick.
    /// </summary>
    public void Think()
    {
        if (_thought) BeginTick();
        _thought = true;
        int calls = 0, rows = 0;
        for (int i = 0; i < _activeCount; i++)
        {
            Lane lane = _lanes[_active[i]]!;
            if (lane.Rows == 0) continue;
            Predict(lane.Brain, lane.Input.AsSpan(0, lane.Rows * lane.Inputs), lane.Output.AsSpan(0, lane.Rows * lane.Outputs), lane.Rows);
            calls++;
            rows += lane.Rows;
        }
        _outputsValid = true;
        for (int i = 0; i < _submissionCount; i++)
        {
            ref Submission s = ref _submissions[i];
            s.Writer?.Write(this, in s);
        }
        LastTick = new ThinkStats(Ticks, calls, rows, _submissionCount);
        Ticks++;
        TotalBrainCalls += calls;
        TotalRows += rows;
    }

    /// <summary>Copies the actions of a gathered column out, after <see cref="Think"/>.</summary>
    /// <typeparam name="TAction">Unmanaged struct of Outputs floats.</typeparam>
    /// <param name="ticket">What <see cref="Gather{TObservation}(BrainHandle, ReadOnlySpan{TObservation})"/> returned this tick.</param>
    /// <param name="actions">At least ticket.Rows structs; the first ticket.Rows are written.</param>
    public void Scatter<TAction>(ThinkTicket ticket, Span<TAction> actions) where TAction : unmanaged
    {
        if (!_thought || !_outputsValid || ticket.Generation != _generation || (uint)ticket.Index >= (uint)_submissionCount)
        {
            throw new InvalidOperationException("The ticket is not readable: Scatter needs a ticket gathered in the tick that the last Think completed.");
        }
        ref Submission s = ref _submissions[ticket.Index];
        CheckActionRows(actions.Length, s.Rows);
        if (s.RouteStart < 0)
        {
            Lane lane = _lanes[s.Lane]!;
            Columns.CheckRow<TAction>(lane.Outputs, nameof(actions), "Outputs", BrainHandle.FromSlot(s.Lane));
        }
        else
        {
            int last = -1;
            for (int r = 0; r < s.Rows; r++)
            {
                int slot = _routeLane[s.RouteStart + r];
                if (slot == last) continue;
                Columns.CheckRow<TAction>(_lanes[slot]!.Outputs, nameof(actions), "Outputs", BrainHandle.FromSlot(slot));
                last = slot;
            }
        }
        CopyOut(in s, MemoryMarshal.Cast<TAction, float>(actions.Slice(0, s.Rows)));
    }

    /// <summary>
    /// Thinks for one column right away, in one <see cref="Brain.Predict"/> call, without batching it with
    /// other columns (for a world that already keeps all agents of a brain in one column).
    /// </summary>
    /// <typeparam name="TObservation">Unmanaged struct of Inputs floats.</typeparam>
    /// <typeparam name="TAction">Unmanaged struct of Outputs floats.</typeparam>
    /// <param name="brain">The brain.</param>
    /// <param name="observations">One struct per agent.</param>
    /// <param name="actions">At least as many structs; the first observations.Length are written.</param>
    public void ThinkNow<TObservation, TAction>(BrainHandle brain, ReadOnlySpan<TObservation> observations, Span<TAction> actions)
        where TObservation : unmanaged where TAction : unmanaged
    {
        Brain b = Registry.Get(brain);
        Columns.CheckRow<TObservation>(b.Inputs, nameof(observations), "Inputs", brain);
        Columns.CheckRow<TAction>(b.Outputs, nameof(actions), "Outputs", brain);
        int rows = observations.Length;
        CheckActionRows(actions.Length, rows);
        if (rows == 0) return;
        Predict(b, MemoryMarshal.Cast<TObservation, float>(observations), MemoryMarshal.Cast<TAction, float>(actions.Slice(0, rows)), rows);
        TotalBrainCalls++;
        TotalRows += rows;
    }

    /// <summary>Test seam: when set, every batched prediction goes through it instead of straight to the brain.</summary>
    internal IThinkPredictor? Predictor { get; set; }

    private void Predict(Brain brain, ReadOnlySpan<float> inputs, Span<float> outputs, int rows)
    {
        if (Predictor is { } seam) seam.Predict(brain, inputs, outputs, rows);
        else brain.Predict(inputs, outputs, rows);
    }

    private void BeginGathering()
    {
        if (_thought) BeginTick();
    }

    private void BeginTick()
    {
        _thought = false;
        _outputsValid = false;
        _generation++;
        _activeCount = 0;
        _submissionCount = 0;
        _routeCount = 0;
    }

    // Looks the brain up and makes its lane part of this tick (rows reset on first touch).
    private Lane Activate(BrainHandle handle, string parameter)
    {
        int slot = handle.Slot;
        Brain brain = Registry.AtSlot(slot) ?? throw Registry.UnknownHandle(handle, parameter);
        if (slot >= _lanes.Length) EnsureSlots(Math.Max(slot + 1, Registry.SlotCount), report: true);
        Lane? lane = _lanes[slot];
        if (lane is null)
        {
            lane = _lanes[slot] = new Lane(brain, _rowsPerBrain);
            ReportGrowth(handle, lane.CapacityRows);
        }
        if (lane.Generation != _generation)
        {
            lane.Generation = _generation;
            lane.Rows = 0;
            if (!ReferenceEquals(lane.Brain, brain))
            {
                bool reshaped = lane.Inputs != brain.Inputs || lane.Outputs != brain.Outputs;
                lane.Rebind(brain);
                if (reshaped) ReportGrowth(handle, lane.CapacityRows);
            }
            _active[_activeCount++] = slot;
        }
        return lane;
    }

    private ThinkTicket AddUniform(int slot, Lane lane, ReadOnlySpan<float> rowsIn, int rows, ActionWriter? writer, object? target, int targetStart)
    {
        int first = lane.Rows;
        if (first + rows > lane.CapacityRows)
        {
            lane.Grow(Math.Max(first + rows, lane.CapacityRows * 2), keepRows: first);
            ReportGrowth(BrainHandle.FromSlot(slot), lane.CapacityRows);
        }
        rowsIn.Slice(0, rows * lane.Inputs).CopyTo(lane.Input.AsSpan(first * lane.Inputs));
        lane.Rows = first + rows;
        return AddSubmission(new Submission(slot, first, -1, rows, writer, target, targetStart));
    }

    private ThinkTicket AddRouted(ReadOnlySpan<BrainHandle> brains, ReadOnlySpan<float> rowsIn, int rows, ActionWriter? writer, object? target, int targetStart)
    {
        if (_routeCount + rows > _routeLane.Length)
        {
            ResizeRoutes(Math.Max(_routeCount + rows, _routeLane.Length * 2));
            ReportGrowth(BrainHandle.None, _routeLane.Length);
        }
        int routeStart = _routeCount, at = 0, lastSlot = -1;
        Lane lane = null!;
        for (int r = 0; r < rows; r++)
        {
            int slot = brains[r].Slot;
            if (slot != lastSlot)
            {
                lane = _lanes[slot]!;
                lastSlot = slot;
            }
            if (lane.Rows == lane.CapacityRows)
            {
                lane.Grow(lane.CapacityRows * 2, keepRows: lane.Rows);
                ReportGrowth(brains[r], lane.CapacityRows);
            }
            int width = lane.Inputs;
            rowsIn.Slice(at, width).CopyTo(lane.Input.AsSpan(lane.Rows * width, width));
            at += width;
            _routeLane[routeStart + r] = slot;
            _routeRow[routeStart + r] = lane.Rows++;
        }
        _routeCount += rows;
        return AddSubmission(new Submission(-1, 0, routeStart, rows, writer, target, targetStart));
    }

    // Validates every row's brain and the struct sizes before anything is gathered.
    private void ValidateRouted<TObservation>(ReadOnlySpan<BrainHandle> brains, int rows, int actionBytes) where TObservation : unmanaged
    {
        if (brains.Length < rows) throw new ArgumentException($"brains holds {brains.Length} handles but observations holds {rows} rows.", nameof(brains));
        int observationBytes = Columns.SizeOf<TObservation>();
        BrainHandle last = BrainHandle.None;
        for (int r = 0; r < rows; r++)
        {
            BrainHandle handle = brains[r];
            if (r > 0 && handle == last) continue;
            Lane lane = Activate(handle, nameof(brains));
            if (lane.Inputs * sizeof(float) != observationBytes) Columns.CheckRow<TObservation>(lane.Inputs, "observations", "Inputs", handle);
            if (actionBytes >= 0 && lane.Outputs * sizeof(float) != actionBytes)
            {
                throw new ArgumentException($"The action struct is {actionBytes} bytes but Outputs of {handle} is {lane.Outputs} floats ({lane.Outputs * sizeof(float)} bytes).", "actions");
            }
            last = handle;
        }
    }

    private ThinkTicket AddSubmission(in Submission submission)
    {
        if (_submissionCount == _submissions.Length)
        {
            Array.Resize(ref _submissions, _submissions.Length * 2);
            ReportGrowth(BrainHandle.None, _submissions.Length);
        }
        _submissions[_submissionCount] = submission;
        return new ThinkTicket(_generation, _submissionCount++, submission.Rows);
    }

    private void CopyOut(in Submission s, Span<float> destination)
    {
        if (s.Rows == 0) return;
        if (s.RouteStart < 0)
        {
            Lane lane = _lanes[s.Lane]!;
            lane.Output.AsSpan(s.LaneRow * lane.Outputs, s.Rows * lane.Outputs).CopyTo(destination);
            return;
        }
        int width = destination.Length / s.Rows;
        for (int r = 0; r < s.Rows; r++)
        {
            Lane lane = _lanes[_routeLane[s.RouteStart + r]]!;
            lane.Output.AsSpan(_routeRow[s.RouteStart + r] * width, width).CopyTo(destination.Slice(r * width, width));
        }
    }

    private void EnsureSlots(int slots, bool report)
    {
        if (slots <= _lanes.Length) return;
        int size = Math.Max(slots, _lanes.Length * 2);
        Array.Resize(ref _lanes, size);
        Array.Resize(ref _active, size);
        if (report) ReportGrowth(BrainHandle.None, size);
    }

    private void ResizeRoutes(int rows)
    {
        Array.Resize(ref _routeLane, rows);
        Array.Resize(ref _routeRow, rows);
    }

    private void ReportGrowth(BrainHandle brain, int capacity)
    {
        BufferGrowths++;
        BufferGrown?.Invoke(brain, capacity);
    }

    private static void CheckActionRows(int actions, int rows)
    {
        if (actions < rows) throw new ArgumentException($"actions holds {actions} structs but observations holds {rows} rows.", nameof(actions));
    }

    private static object TargetOf<TAction>(Memory<TAction> actions, out int start) where TAction : unmanaged
    {
        if (MemoryMarshal.TryGetArray((ReadOnlyMemory<TAction>)actions, out ArraySegment<TAction> segment) && segment.Array is { } array)
        {
            start = segment.Offset;
            return array;
        }
        if (MemoryMarshal.TryGetMemoryManager((ReadOnlyMemory<TAction>)actions, out MemoryManager<TAction>? manager, out start, out _) && manager is not null)
        {
            return manager;
        }
        throw new ArgumentException("actions must be backed by an array or a MemoryManager.", nameof(actions));
    }

    private sealed class Lane
    {
        public Lane(Brain brain, int capacityRows)
        {
            Brain = brain;
            Inputs = brain.Inputs;
            Outputs = brain.Outputs;
            CapacityRows = capacityRows;
            Input = new float[capacityRows * Inputs];
            Output = new float[capacityRows * Outputs];
            Generation = -1;
        }

        public Brain Brain;
        public int Inputs, Outputs, CapacityRows, Rows, Generation;
        public float[] Input, Output;

        public void Grow(int capacityRows, int keepRows)
        {
            float[] input = new float[capacityRows * Inputs];
            Input.AsSpan(0, keepRows * Inputs).CopyTo(input);
            Input = input;
            Output = new float[capacityRows * Outputs];
            CapacityRows = capacityRows;
        }

        public void Rebind(Brain brain)
        {
            bool reshaped = brain.Inputs != Inputs || brain.Outputs != Outputs;
            Brain = brain;
            Inputs = brain.Inputs;
            Outputs = brain.Outputs;
            if (reshaped)
            {
                Input = new float[CapacityRows * Inputs];
                Output = new float[CapacityRows * Outputs];
            }
        }
    }

    private readonly struct Submission
    {
        public Submission(int lane, int laneRow, int routeStart, int rows, ActionWriter? writer, object? target, int targetStart)
        {
            Lane = lane;
            LaneRow = laneRow;
            RouteStart = routeStart;
            Rows = rows;
            Writer = writer;
            Target = target;
            TargetStart = targetStart;
        }

        public readonly int Lane, LaneRow, RouteStart, Rows, TargetStart;
        public readonly ActionWriter? Writer;
        public readonly object? Target;
    }

    // One cached instance per action type writes a submitted column without knowing its type statically.
    private abstract class ActionWriter
    {
        public abstract void Write(ThinkSystem system, in Submission submission);
    }

    private sealed class ActionWriter<T> : ActionWriter where T : unmanaged
    {
        public static readonly ActionWriter<T> Instance = new();

        public override void Write(ThinkSystem system, in Submission submission)
        {
            Span<T> column = submission.Target is T[] array
                ? array.AsSpan(submission.TargetStart, submission.Rows)
                : ((MemoryManager<T>)submission.Target!).GetSpan().Slice(submission.TargetStart, submission.Rows);
            system.CopyOut(in submission, MemoryMarshal.Cast<T, float>(column));
        }
    }
}

/// <summary>Test seam for <see cref="ThinkSystem"/>: sees every batched prediction.</summary>
internal interface IThinkPredictor
{
    void Predict(Brain brain, ReadOnlySpan<float> inputs, Span<float> outputs, int rows);
}
